#include "platform/output_file.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>

namespace kb::platform {

namespace {

namespace fs = std::filesystem;

bool is_special(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

// Staged files' names for the signal handler: fixed storage, since a handler may not
// allocate, and a flag per slot that is set only once its name is complete.
constexpr std::size_t kSlots = 16;
constexpr std::size_t kPathMax = 4096;
std::array<std::array<char, kPathMax>, kSlots> staged_names{};
std::array<std::atomic<bool>, kSlots> staged_used{};

int claim_slot(const std::string& path) {
  if (path.size() >= kPathMax) return -1;
  for (std::size_t i = 0; i < kSlots; ++i) {
    if (staged_used[i].load()) continue;
    std::memcpy(staged_names[i].data(), path.c_str(), path.size() + 1);
    staged_used[i].store(true);
    return static_cast<int>(i);
  }
  return -1;  // not removed on a signal; still removed on destruction
}

void release_slot(int slot) {
  if (slot >= 0) staged_used[static_cast<std::size_t>(slot)].store(false);
}

extern "C" void remove_staged_and_die(int signal) {
  for (std::size_t i = 0; i < kSlots; ++i) {
    if (staged_used[i].load()) ::unlink(staged_names[i].data());
  }
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

// The longest file name the directory `dir` takes (NAME_MAX: 255 on Linux's file systems).
std::size_t name_max(const std::string& dir) {
  const long n = ::pathconf(dir.c_str(), _PC_NAME_MAX);
  return n > 0 ? static_cast<std::size_t>(n) : 255;
}

std::string directory_of(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

// ".STEM.PID.tmpEXT" beside the file. A stem too long for that (a legal name near NAME_MAX)
// is shortened and given a digest of the whole path, so two long names stay apart.
std::string staging_name(const std::string& path) {
  const fs::path p(path);
  const std::string tail = fmt::format(".{}.tmp{}", ::getpid(), p.extension().string());
  std::string stem = p.stem().string();
  const std::size_t limit = name_max(directory_of(path));
  if (1 + stem.size() + tail.size() > limit) {
    const std::string digest = fmt::format("~{:016x}", std::hash<std::string>{}(path));
    const std::size_t room =
        limit > 1 + tail.size() + digest.size() ? limit - 1 - tail.size() - digest.size() : 0;
    stem = stem.substr(0, room) + digest;
  }
  return (p.parent_path() / ("." + stem + tail)).string();
}

// Writes all of `text` to `path` (created or truncated); false with errno set on failure.
bool write_all(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const bool written = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  const int write_errno = errno;
  const bool flushed = std::fflush(f) == 0;
  const bool closed = std::fclose(f) == 0;
  if (!written) errno = write_errno;
  return written && flushed && closed;
}

}  // namespace

void check_output_path(const std::string& path, const std::string& what, bool regular_only) {
  auto fail = [&](const std::string& why) {
    return OutputPathError(fmt::format("{} {}: {}", what, path.empty() ? "''" : path, why));
  };
  if (path.empty()) throw fail("an empty path names no file");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw fail("is a directory");
    if (!S_ISREG(st.st_mode)) {
      if (regular_only) throw fail("is not a regular file");
      if (::access(path.c_str(), W_OK) != 0) throw fail(std::strerror(errno));
      return;
    }
  }
  const std::string dir = directory_of(path);
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    throw fail(fmt::format("its directory {} does not exist", dir));
  }
  const std::size_t name = fs::path(path).filename().string().size();
  if (name > name_max(dir)) {
    throw fail(fmt::format("its name is {} characters; the file system takes at most {}", name,
                           name_max(dir)));
  }
  // The file is written beside itself and renamed, so its directory must be writable.
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    throw fail(fmt::format("its directory {} is not writable: {}", dir, std::strerror(errno)));
  }
}

void write_output_file(const std::string& path, const std::string& text) {
  if (is_special(path)) {
    if (!write_all(path, text)) {
      throw std::runtime_error(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    }
    return;
  }
  StagedFile staged(path);
  if (!write_all(staged.staging_path(), text)) {
    throw std::runtime_error(fmt::format("cannot write {}: {}; any previous file is unchanged",
                                         path, std::strerror(errno)));
  }
  staged.commit();
}

void write_output_files(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<std::unique_ptr<StagedFile>> staged;
  for (const auto& [path, text] : files) {
    staged.push_back(std::make_unique<StagedFile>(path));
    if (!write_all(staged.back()->staging_path(), text)) {
      throw std::runtime_error(fmt::format("cannot write {}: {}; none of the {} files was written",
                                           path, std::strerror(errno), files.size()));
    }
  }
  for (const auto& s : staged) s->commit();
}

StagedFile::StagedFile(std::string path)
    : path_(std::move(path)), staging_(staging_name(path_)), slot_(claim_slot(staging_)) {}

StagedFile::~StagedFile() {
  if (!committed_) ::unlink(staging_.c_str());
  release_slot(slot_);
}

void StagedFile::commit() {
  if (std::rename(staging_.c_str(), path_.c_str()) != 0) {
    throw std::runtime_error(
        fmt::format("cannot rename {} to {}: {}", staging_, path_, std::strerror(errno)));
  }
  committed_ = true;
}

void remove_staged_files_on_signals() {
  static std::atomic<bool> installed{false};
  if (installed.exchange(true)) return;
  for (const int signal : {SIGINT, SIGTERM, SIGHUP}) {
    // A signal the caller ignores (a background job's SIGINT) stays ignored.
    if (std::signal(signal, remove_staged_and_die) == SIG_IGN) std::signal(signal, SIG_IGN);
  }
}

}  // namespace kb::platform

#include "platform/util/config_file.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <yaml-cpp/depthguard.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace kb::platform {

SourceLocation located(const std::string& source, const YAML::Mark& mark) {
  if (mark.is_null()) return {source, 0, 0};
  return {source, mark.line + 1, mark.column + 1};
}

std::string read_config_file(const std::string& path, const std::string& what) {
  if (path.empty()) {
    throw ConfigError({"''", 0, 0}, "", "an empty path names no " + what);
  }
  auto fail = [&](const std::string& why) { return ConfigError({path, 0, 0}, "", why); };
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw fail(fmt::format("cannot read the {}: {}", what, std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) throw fail(fmt::format("is a directory, not a {}", what));
  // A FIFO would block until written to and a device may never end.
  if (!S_ISREG(st.st_mode)) throw fail(fmt::format("is not a regular file; give a {}", what));
  if (static_cast<std::uint64_t>(st.st_size) > kMaxConfigFileBytes) {
    throw fail(fmt::format("is {} bytes; a {} is at most {} bytes", st.st_size, what,
                           kMaxConfigFileBytes));
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) throw fail(fmt::format("cannot read the {}: {}", what, std::strerror(errno)));
  return text.str();
}

YAML::Node parse_config_document(const std::string& text, const std::string& source) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(text);
  } catch (const YAML::DeepRecursion& e) {
    throw ConfigError(located(source, e.mark), "", "nested too deeply to be a configuration");
  } catch (const YAML::Exception& e) {
    throw ConfigError(located(source, e.mark), "", "malformed YAML: " + e.msg);
  }
  if (documents.size() > 1) {
    throw ConfigError(located(source, documents[1].Mark()), "",
                      fmt::format("holds {} YAML documents; a configuration is one document "
                                  "(remove the '---' separators)",
                                  documents.size()));
  }
  return documents.empty() ? YAML::Node() : documents.front();
}

}  // namespace kb::platform

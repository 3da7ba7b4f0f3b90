#pragma once
// The files a run writes (report, timeline, VCD and its GTKWave save), so that a reader
// finds a complete file or the previous one, never half of one:
//   * check_output_path() fails fast, before the run, when a path cannot be written, so a
//     long run's results are not lost at its end;
//   * a regular file is written to a temporary file beside it and renamed over it; a failed
//     write (a full disk) throws and leaves any previous file intact;
//   * an existing special file (/dev/stdout, a FIFO, /dev/full) is written in place, with
//     its errors detected;
//   * temporary files are removed when the process is interrupted (SIGINT, SIGTERM, SIGHUP).

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace kb::platform {

// An output path that cannot be written: the command line's fault (exit code 2).
class OutputPathError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Throws OutputPathError when `path` (`what` names it: "--report") could not be written:
// empty, a directory, in a directory that is missing or not writable, or a special file
// where `regular_only`.
void check_output_path(const std::string& path, const std::string& what, bool regular_only = false);

// Writes `text` to `path` as above; throws std::runtime_error when the write fails.
void write_output_file(const std::string& path, const std::string& text);

// Writes every (path, text) of `files`, regular files all, or none of them: each is staged
// beside its path and renamed only once all are written, so a full disk does not leave a
// part of a set (a trace's rank files) that would read as a smaller whole. Throws
// std::runtime_error naming the file that could not be written.
void write_output_files(const std::vector<std::pair<std::string, std::string>>& files);

// A regular file written by someone else under a temporary name, then committed: renamed
// over `path`. Until then the temporary file is removed on destruction and on interruption.
class StagedFile {
 public:
  explicit StagedFile(std::string path);
  ~StagedFile();
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;

  // Beside `path`, hidden, with the same extension: "dir/.w.1234.tmp.vcd" for "dir/w.vcd".
  const std::string& staging_path() const { return staging_; }
  void commit();

 private:
  std::string path_;
  std::string staging_;
  int slot_;
  bool committed_ = false;
};

// Installs the handlers that remove staged files on SIGINT, SIGTERM and SIGHUP, then die
// of the signal as if unhandled. Once per process; idempotent.
void remove_staged_files_on_signals();

}  // namespace kb::platform

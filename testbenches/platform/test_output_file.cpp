// Output files are complete or absent: staged under a temporary name, renamed into place,
// and a failed write leaves the previous file as it was.
#include "platform/output_file.h"

#include <boost/test/unit_test.hpp>

#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>

#include <filesystem>
#include <fstream>
#include <sstream>

using kb::platform::check_output_path;
using kb::platform::OutputPathError;
using kb::platform::StagedFile;
using kb::platform::write_output_file;
using kb::platform::write_output_files;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool exists(const std::string& path) { return std::filesystem::exists(path); }

}  // namespace

BOOST_AUTO_TEST_CASE(a_written_file_replaces_the_previous_one_whole) {
  std::ofstream("out.json") << "previous";
  write_output_file("out.json", "new contents\n");
  BOOST_TEST(read("out.json") == "new contents\n");
  for (const auto& entry : std::filesystem::directory_iterator(".")) {
    BOOST_TEST(entry.path().filename().string().find(".tmp") == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(a_failed_write_throws) {
  BOOST_CHECK_THROW(write_output_file("/dev/full", "anything"), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(a_set_of_files_is_written_whole_or_not_at_all) {
  // A file-size limit stands for a full disk: the second file cannot be written, so the
  // first, written already, must not appear either, and no staged file is left.
  std::filesystem::remove_all("set");  // the test's folder outlives a run
  std::filesystem::create_directory("set");
  struct rlimit before {};
  ::getrlimit(RLIMIT_FSIZE, &before);
  std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = before;
  small.rlim_cur = 1000;
  ::setrlimit(RLIMIT_FSIZE, &small);
  BOOST_CHECK_THROW(write_output_files({{"set/t.0.et", std::string(100, 'a')},
                                        {"set/t.1.et", std::string(5000, 'b')}}),
                    std::runtime_error);
  ::setrlimit(RLIMIT_FSIZE, &before);
  std::signal(SIGXFSZ, SIG_DFL);
  BOOST_TEST(std::filesystem::is_empty("set"));
  write_output_files({{"set/t.0.et", "zero"}, {"set/t.1.et", "one"}});
  BOOST_TEST(read("set/t.0.et") == "zero");
  BOOST_TEST(read("set/t.1.et") == "one");
}

BOOST_AUTO_TEST_CASE(a_staged_file_appears_only_when_committed) {
  std::ofstream("waves.vcd") << "previous";
  std::string staging;
  {
    StagedFile staged("waves.vcd");
    staging = staged.staging_path();
    BOOST_TEST(staging.find(".waves.") != std::string::npos);
    BOOST_TEST(staging.substr(staging.size() - 4) == ".vcd");
    std::ofstream(staging) << "half of it";
  }  // abandoned: an error or an interrupt
  BOOST_TEST(!exists(staging));
  BOOST_TEST(read("waves.vcd") == "previous");
  {
    StagedFile staged("waves.vcd");
    std::ofstream(staged.staging_path()) << "all of it";
    staged.commit();
  }
  BOOST_TEST(read("waves.vcd") == "all of it");
}

BOOST_AUTO_TEST_CASE(unwritable_paths_are_refused_before_anything_runs) {
  BOOST_CHECK_THROW(check_output_path("", "--report"), OutputPathError);
  BOOST_CHECK_THROW(check_output_path(".", "--report"), OutputPathError);
  BOOST_CHECK_THROW(check_output_path("/nonexistent/r.json", "--report"), OutputPathError);
  BOOST_CHECK_THROW(check_output_path("/dev/null", "--vcd", true), OutputPathError);
  BOOST_CHECK_NO_THROW(check_output_path("/dev/null", "--report"));
  BOOST_CHECK_NO_THROW(check_output_path("fresh.json", "--report"));
  try {
    check_output_path("/nonexistent/r.json", "--timeline");
  } catch (const OutputPathError& e) {
    BOOST_TEST(std::string(e.what()) ==
               "--timeline /nonexistent/r.json: its directory /nonexistent does not exist");
  }
}

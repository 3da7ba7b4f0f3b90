#include "testbenches/kernbench/python_command.h"

#include "platform/commands/exit_codes.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

namespace kb::cli {

namespace {

namespace fs = std::filesystem;

// The interpreter: KERNBENCH_PYTHON when set (a virtualenv's python, say), else Debian's,
// which has the packages scripts/setup installs (a python3 earlier on PATH may lack them).
std::string interpreter() {
  const char* chosen = std::getenv("KERNBENCH_PYTHON");
  return chosen != nullptr && *chosen != '\0' ? chosen : "/usr/bin/python3";
}

// The kbtools package: installed beside kernbench (PREFIX/share/kernbench/python), else the
// source tree this kernbench was built from.
fs::path python_dir(const fs::path& self) {
  const fs::path installed = self.parent_path() / ".." / "share" / "kernbench" / "python";
  if (fs::exists(installed / "kbtools")) return fs::canonical(installed);
  return KB_PYTHON_SOURCE_DIR;
}

int run_python(const std::string& module, const std::vector<std::string>& args) {
  const fs::path self = fs::read_symlink("/proc/self/exe");
  const std::string path = python_dir(self).string();
  const char* old = std::getenv("PYTHONPATH");
  setenv("PYTHONPATH", (old != nullptr && *old != '\0' ? path + ":" + old : path).c_str(), 1);
  const std::string python = interpreter();
  std::vector<std::string> argv{python, "-m", "kbtools." + module, "--kernbench", self.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> c_argv;
  for (std::string& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  std::fflush(stdout);
  ::execvp(python.c_str(), c_argv.data());  // a bare name is looked up on PATH
  fmt::print(stderr, "kernbench: cannot run {}: {} ({})\n", python, std::strerror(errno),
             std::getenv("KERNBENCH_PYTHON") != nullptr ? "KERNBENCH_PYTHON names it"
                                                        : "scripts/setup installs it");
  return kSimulationError;
}

}  // namespace

void add_python_command(CLI::App& app, std::function<int()>& action, const std::string& name,
                        const std::string& description, const std::string& module) {
  CLI::App* cmd = app.add_subcommand(name, description);
  cmd->prefix_command();  // every argument after the subcommand is the script's
  cmd->set_help_flag();   // --help too
  cmd->callback([&action, cmd, module] {
    action = [args = cmd->remaining(), module] { return run_python(module, args); };
  });
}

}  // namespace kb::cli

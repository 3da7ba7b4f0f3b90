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

// Debian's interpreter, which has the packages scripts/setup installs; a python3 earlier
// on PATH may lack them.
constexpr const char* kPython = "/usr/bin/python3";

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
  std::vector<std::string> argv{kPython, "-m", "kbtools." + module, "--kernbench", self.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> c_argv;
  for (std::string& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  std::fflush(stdout);
  ::execv(kPython, c_argv.data());
  fmt::print(stderr, "kernbench: cannot run {}: {} (scripts/setup installs it)\n", kPython,
             std::strerror(errno));
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

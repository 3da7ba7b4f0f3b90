// kernbench: the command line of KernBench/SC (DESIGN §9).

#include "platform/cli/exit_codes.h"
#include "platform/cli/topology_command.h"
#include "platform/topology/config_error.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <exception>
#include <functional>

int main(int argc, char** argv) {
  CLI::App app{
      "KernBench/SC: kernel and collective benches on a SystemC model of the AHBM "
      "accelerator",
      "kernbench"};
  app.set_version_flag("--version", "kernbench 0.1.0");
  app.require_subcommand(1);
  std::function<int()> action;
  kb::cli::add_topology_command(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kb::cli::kOk : kb::cli::kBadUsage;
  }
  try {
    return action();
  } catch (const kb::platform::ConfigError& e) {
    fmt::print(stderr, "{}\n", e.what());
    return kb::cli::kBadUsage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "kernbench: error: {}\n", e.what());
    return kb::cli::kSimulationError;
  }
}

// kernbench: the command line of KernBench/SC (README, "The command line").

#include "models/common/simulation_error.h"
#include "platform/commands/elaborate_command.h"
#include "platform/commands/exit_codes.h"
#include "platform/commands/topology_command.h"
#include "platform/output_file.h"
#include "platform/topology/config_error.h"
#include "testbenches/benches/bench.h"
#include "testbenches/kernbench/list_command.h"
#include "testbenches/kernbench/python_command.h"
#include "testbenches/kernbench/run_command.h"

#include <systemc>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <string>

// libsystemc's main() would print the kernel's banner before our output; ours silences it
// and enters through sc_elab_and_sim like any SystemC program.
int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  // A reader that goes away (`kernbench list | head -1`) is a write error we report, not a
  // signal that kills the process.
  std::signal(SIGPIPE, SIG_IGN);
  // Likewise a file-size limit (`ulimit -f`): the write fails, the output is reported as
  // not written and its staging file removed, instead of a signal killing the run.
  std::signal(SIGXFSZ, SIG_IGN);
  // Started by a sweep (KERNBENCH_PARENT = its pid): end with it, even when it is killed
  // outright (SIGKILL), through SIGTERM, which removes what this run was writing.
  if (const char* parent = std::getenv("KERNBENCH_PARENT")) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (std::to_string(getppid()) != parent) return 128 + SIGTERM;  // already gone
  }
  return sc_core::sc_elab_and_sim(argc, argv);
}

int sc_main(int argc, char** argv) {
  CLI::App app{
      "KernBench/SC: kernel and collective benches on a SystemC model of the AHBM "
      "accelerator",
      "kernbench"};
  app.set_version_flag("--version", "kernbench 0.1.0");
  app.require_subcommand(1);
  std::function<int()> action;
  kb::cli::add_topology_command(app, action);
  kb::cli::add_elaborate_command(app, action);
  kb::cli::add_run_command(app, action);
  kb::cli::add_list_command(app, action);
  kb::cli::add_python_command(app, action, "sweep",
                              "run a grid of topology keys and bench parameters, one process "
                              "per point, locally or on Dask; results as a CSV table",
                              "sweep");
  kb::cli::add_python_command(app, action, "plot",
                              "plot a sweep's results.csv (matplotlib): lines per hue, Pareto "
                              "fronts",
                              "plot");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kb::cli::kOk : kb::cli::kBadUsage;
  }
  try {
    const int code = action();
    // Output lost to a full disk or a closed pipe must not pass for success.
    if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
      fmt::print(stderr, "kernbench: error: cannot write to standard output\n");
      return kb::cli::kSimulationError;
    }
    return code;
  } catch (const kb::platform::ConfigError& e) {
    fmt::print(stderr, "{}\n", e.what());
    return kb::cli::kBadUsage;
  } catch (const kb::platform::OutputPathError& e) {
    fmt::print(stderr, "kernbench: error: {}\n", e.what());
    return kb::cli::kBadUsage;
  } catch (const kb::bench::BenchUsageError& e) {
    fmt::print(stderr, "kernbench: error: {}\n", e.what());
    return kb::cli::kBadUsage;
  } catch (const kb::models::SimulationError& e) {
    fmt::print(stderr, "kernbench: simulation error: {}\n", e.what());
    return kb::cli::kSimulationError;
  } catch (const std::exception& e) {
    fmt::print(stderr, "kernbench: error: {}\n", kb::models::describe(e));
    return kb::cli::kSimulationError;
  }
}

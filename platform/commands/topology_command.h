#pragma once
// `kernbench topology validate|show|schema`.

#include <CLI/CLI.hpp>

#include <functional>

namespace kb::cli {

// Registers the subcommands on `app`. The chosen one stores its action in `action`,
// which main() runs after parsing so that all errors are reported in one place.
void add_topology_command(CLI::App& app, std::function<int()>& action);

}  // namespace kb::cli

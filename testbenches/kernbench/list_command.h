#pragma once
// `kernbench list`: the benches, their parameters and defaults.

#include <CLI/CLI.hpp>

#include <functional>

namespace kb::cli {

void add_list_command(CLI::App& app, std::function<int()>& action);

}  // namespace kb::cli

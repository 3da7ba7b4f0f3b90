#pragma once
// `kernbench run BENCH`.

#include <CLI/CLI.hpp>

#include <functional>

namespace kb::cli {

void add_run_command(CLI::App& app, std::function<int()>& action);

}  // namespace kb::cli

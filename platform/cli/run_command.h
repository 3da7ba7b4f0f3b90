#pragma once
// `kernbench run BENCH` and `kernbench list`.

#include <CLI/CLI.hpp>

#include <functional>

namespace kb::cli {

void add_run_command(CLI::App& app, std::function<int()>& action);
void add_list_command(CLI::App& app, std::function<int()>& action);

}  // namespace kb::cli

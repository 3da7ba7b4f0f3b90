#pragma once
// `kernbench elaborate`: build the model of a topology and report what it cost.

#include <CLI/CLI.hpp>

#include <functional>

namespace kb::cli {

void add_elaborate_command(CLI::App& app, std::function<int()>& action);

}  // namespace kb::cli

#pragma once
// Subcommands written in Python (sweep, plot): kernbench hands every argument after the
// subcommand to `/usr/bin/python3 -m kbtools.MODULE`, telling it where this kernbench is.

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace kb::cli {

void add_python_command(CLI::App& app, std::function<int()>& action, const std::string& name,
                        const std::string& description, const std::string& module);

}  // namespace kb::cli

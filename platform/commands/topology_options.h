#pragma once
// The topology a command works on: a file (or the embedded default) plus --set overrides.

#include "platform/topology/loader.h"

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace kb::cli {

struct TopologyOptions {
  std::optional<std::string> file;  // none: the embedded default ("" is an error, not it)
  std::vector<std::string> overrides;

  platform::Topology load() const { return platform::load_topology(file, overrides); }
  std::string source() const { return platform::topology_source(file); }

  // FILE as a positional argument (required or not) and --set.
  void add_to(CLI::App& command, bool file_required) {
    auto* option =
        command.add_option("FILE", file,
                           file_required ? "topology YAML file"
                                         : "topology YAML file (default: the embedded default)");
    if (file_required) option->required();
    command
        .add_option("--set", overrides,
                    "override a key, e.g. --set system.sips.count=8 (repeatable)")
        ->type_name("KEY.PATH=VALUE");
  }
};

}  // namespace kb::cli

#pragma once
// Loading a topology: YAML text -> typed Topology, then `--set` overrides, then the
// checks that span several keys. Every problem is a ConfigError naming where it is.

#include "platform/topology/config_error.h"
#include "platform/topology/topology.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kb::platform {

// One `--set KEY.PATH=VALUE`, VALUE in YAML flow syntax (`4`, `1.5`, `[NW, SE]`).
using Overrides = std::vector<std::string>;

Topology load_topology_text(std::string_view yaml, const std::string& source,
                            const Overrides& overrides = {});

Topology load_topology_file(const std::string& path, const Overrides& overrides = {});

// The default topology compiled into the binary (configs/topology.yaml).
Topology load_default_topology(const Overrides& overrides = {});
std::string_view default_topology_yaml();
extern const char* const kDefaultTopologySource;

// The file's topology, or the default one without a file; and what a report names as its
// source.
Topology load_topology(const std::optional<std::string>& file, const Overrides& overrides = {});
std::string topology_source(const std::optional<std::string>& file);

}  // namespace kb::platform

#pragma once
// Views of a loaded topology for people and programs: the effective configuration with
// every default filled in, the derived figures, and the schema reference page.

#include "platform/topology/topology.h"

#include <nlohmann/json.hpp>

#include <string>

namespace kb::platform {

// The derived figures `topology show` prints (README, "The command line"): sips, cube_mesh,
// cubes_per_sip, pes_per_cube, world_size, hbm_bytes_per_cube, tcm_bytes_per_pe, ..., plus
// "config": the effective configuration as a nested object.
nlohmann::ordered_json topology_json(const Topology& t);

// The effective configuration as YAML that load_topology_text() reads back unchanged.
std::string effective_yaml(const Topology& t);

// A short human summary of the derived figures, one per line.
std::string derived_summary(const Topology& t);

// docs/topology-schema.md: every key with unit, default, allowed values and meaning.
std::string schema_markdown();

}  // namespace kb::platform

#pragma once
// The topology schema: every key the loader accepts, with its unit, allowed range and
// meaning, bound to its member of Topology. The loader, `--set`, `topology show` and
// docs/topology-schema.md are all driven by this one table.

#include "platform/topology/topology.h"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kb::platform {

using FieldRef = std::variant<std::int64_t*, double*, std::string*, std::vector<std::string>*,
                              std::optional<std::int64_t>*>;

enum class FieldKind { integer, real, choice, choice_list, optional_integer };

// What changing a key changes. Every timing key moves some bench's simulated time (a test
// checks it); the others are documented in the schema page with what they change.
enum class Effect {
  timing,      // simulated times
  capacity,    // how much fits (memory sizes); timing only through what fits
  structure,   // the machine's shape: what is elaborated
  simulation,  // how the simulator runs; simulated times are independent of it by design
  energy,      // energy, power and area figures only (docs/energy.md)
};
const char* to_string(Effect effect);

struct FieldSpec {
  std::string path;  // dotted key path, e.g. "cube.memory_map.hbm_slices_per_cube"
  FieldKind kind;
  std::string unit;         // empty for plain counts
  std::string description;  // one line
  double min = 0.0;         // numbers: allowed range, inclusive unless min_exclusive
  bool min_exclusive = false;
  double max = 0.0;                  // numbers: inclusive; every number has one
  std::vector<std::string> choices;  // choice and choice_list
  Effect effect = Effect::timing;
  std::function<FieldRef(Topology&)> bind;
  // Whether the key describes the machine `t` at all (a network level not given, or the
  // one-level network's keys beside given levels, do not): the effective topology lists
  // only those.
  std::function<bool(const Topology&)> applies = [](const Topology&) { return true; };

  // "1 to 128", "> 0", one of "ring, fully_connected, switch", ...
  std::string allowed() const;
  // The value held by `t`, as YAML flow text ("4", "1.5", "[NW, NE]", "derived").
  std::string value_text(const Topology& t) const;
};

const std::vector<FieldSpec>& topology_schema();

// The field at `path`, or nullptr.
const FieldSpec* find_field(std::string_view path);

// True when `path` is a section (a proper prefix of some field path), "" included.
bool is_section(std::string_view path);

// The keys directly below section `path` ("" for the top level), in schema order.
std::vector<std::string> section_keys(std::string_view path);

}  // namespace kb::platform

#include "platform/topology/schema.h"

#include "models/protocol/phys_addr.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace kb::platform {

namespace {

using models::PhysAddrLayout;

// Every number is bounded both ways (models/common/attr_schema.h); choices take no range.
using Range = models::AttrRange;
using models::kCapacity;
using models::kQuantumNs;

FieldSpec field(std::string path, FieldKind kind, std::string unit, Range range,
                std::string description, std::function<FieldRef(Topology&)> bind,
                std::vector<std::string> choices = {}, Effect effect = Effect::timing) {
  FieldSpec f;
  f.path = std::move(path);
  f.kind = kind;
  f.unit = std::move(unit);
  f.description = std::move(description);
  f.min = range.min;
  f.min_exclusive = range.min_exclusive;
  f.max = range.max;
  f.choices = std::move(choices);
  f.bind = std::move(bind);
  f.effect = effect;
  return f;
}

// The same row with a non-timing effect.
FieldSpec with(Effect effect, FieldSpec f) {
  f.effect = effect;
  return f;
}

Effect effect_of(models::AttrEffect e) {
  switch (e) {
    case models::AttrEffect::timing: return Effect::timing;
    case models::AttrEffect::capacity: return Effect::capacity;
    case models::AttrEffect::energy: return Effect::energy;
  }
  return Effect::timing;
}

// The rows a component's *_attrs.h declares, under `prefix`, bound through `attrs`.
template <class Attrs, class Of>
void add_attrs(std::vector<FieldSpec>& s, const std::string& prefix,
               const std::vector<models::AttrRow<Attrs>>& rows, Of attrs) {
  for (const models::AttrRow<Attrs>& row : rows) {
    const bool real = std::holds_alternative<double Attrs::*>(row.member);
    s.push_back(field(
        prefix + "." + row.key, real ? FieldKind::real : FieldKind::integer, row.unit, row.range,
        row.description,
        [attrs, member = row.member](Topology& t) -> FieldRef {
          return std::visit([&](auto m) -> FieldRef { return &(attrs(t).*m); }, member);
        },
        {}, effect_of(row.effect)));
  }
}

// A link's attributes: timing, energy and area.
void add_link(std::vector<FieldSpec>& s, const std::string& prefix, const std::string& what,
              LinkAttrs& (*attrs)(Topology&)) {
  add_attrs(s, prefix, LinkAttrs::schema(what), attrs);
}

// A memory's port attributes; its static power and area are per MiB when `per_mb`.
void add_memory(std::vector<FieldSpec>& s, const std::string& prefix, const std::string& what,
                bool per_mb, MemoryPortAttrs& (*attrs)(Topology&)) {
  add_attrs(s, prefix, MemoryPortAttrs::schema(what, per_mb), attrs);
}

// The spellings of the fabric's inter-SIP topologies (models/interconnect/fabric.h).
std::vector<std::string> inter_sip_topology_names() {
  std::vector<std::string> names;
  for (models::InterSipTopology t : models::kInterSipTopologies) names.emplace_back(to_string(t));
  return names;
}

// system.inter_sip.levels.<i>: the network's levels, innermost first, in a file a list.
void add_network_levels(std::vector<FieldSpec>& s) {
  using K = FieldKind;
  constexpr std::size_t kLevels = std::tuple_size_v<decltype(Topology::System::InterSip::levels)>;
  for (std::size_t i = 0; i < kLevels; ++i) {
    const std::string at = fmt::format("system.inter_sip.levels.{}", i);
    const std::string which = i == 0 ? "the innermost level" : fmt::format("level {}", i);
    s.push_back(
        with(Effect::structure,
             field(
                 at + ".topology", K::choice, "", {},
                 fmt::format("how {} joins the SIPs of each of its groups", which),
                 [i](Topology& t) -> FieldRef { return &t.system.inter_sip.levels[i].topology; },
                 inter_sip_topology_names())));
    s.push_back(with(
        Effect::structure,
        field(at + ".size", K::integer, "",
              {0, false, static_cast<double>(PhysAddrLayout::max_sips)},
              fmt::format("SIPs in each group of {} (0: no such level); the sizes of the levels "
                          "multiply to system.sips.count, and the levels replace "
                          "system.inter_sip.topology and .link",
                          which),
              [i](Topology& t) -> FieldRef { return &t.system.inter_sip.levels[i].size; })));
    s.push_back(field(
        at + ".links_per_sip", K::integer, "", {1, false, 64},
        fmt::format("parallel links (NICs) each SIP has at {}, used together: bandwidth, static "
                    "power and area times their number",
                    which),
        [i](Topology& t) -> FieldRef { return &t.system.inter_sip.levels[i].links_per_sip; }));
    add_attrs(s, at + ".link", LinkAttrs::schema(fmt::format("link of {}", which)),
              [i](Topology& t) -> LinkAttrs& { return t.system.inter_sip.levels[i].link; });
  }
  for (FieldSpec& f : s) {
    if (f.path.rfind("system.inter_sip.levels.", 0) != 0) continue;
    const std::size_t i = std::stoul(f.path.substr(std::string("system.inter_sip.levels.").size()));
    f.applies = [i](const Topology& t) { return t.system.inter_sip.levels[i].size > 0; };
  }
}

std::vector<FieldSpec> build_schema() {
  using K = FieldKind;
  std::vector<FieldSpec> s;
  const auto max_sips = static_cast<double>(PhysAddrLayout::max_sips);
  const auto max_cubes = static_cast<double>(PhysAddrLayout::max_cubes);
  const auto max_units = static_cast<double>(PhysAddrLayout::max_units);

  s.push_back(
      with(Effect::structure, field("system.sips.count", K::integer, "", {1, false, max_sips},
                                    "number of SIPs in the system",
                                    [](Topology& t) -> FieldRef { return &t.system.sips.count; })));
  s.push_back(
      with(Effect::structure,
           field("system.sips.cubes_per_sip", K::optional_integer, "", {1, false, max_cubes},
                 "legacy: cubes per SIP; derived from sip.cube_mesh (w × h), and an error "
                 "when given and different",
                 [](Topology& t) -> FieldRef { return &t.system.sips.cubes_per_sip; })));
  s.push_back(
      with(Effect::structure,
           field(
               "system.inter_sip.topology", K::choice, "", {}, "how the SIPs' I/O ports are joined",
               [](Topology& t) -> FieldRef { return &t.system.inter_sip.topology; },
               inter_sip_topology_names())));
  add_link(s, "system.inter_sip.link", "link between two SIPs",
           [](Topology& t) -> LinkAttrs& { return t.system.inter_sip.link; });
  add_network_levels(s);
  for (FieldSpec& f : s) {
    if (f.path.rfind("system.inter_sip.topology", 0) == 0 ||
        f.path.rfind("system.inter_sip.link.", 0) == 0)
      f.applies = [](const Topology& t) { return t.system.inter_sip.levels.front().size == 0; };
  }
  add_link(s, "system.host_link", "link from the host to each SIP's I/O port",
           [](Topology& t) -> LinkAttrs& { return t.system.host_link; });
  s.push_back(with(Effect::simulation,
                   field("system.simulation.quantum_ns", K::real, "ns", kQuantumNs,
                         "temporal-decoupling quantum: how far a thread may run ahead of "
                         "simulated time before it synchronises",
                         [](Topology& t) -> FieldRef { return &t.system.simulation.quantum_ns; })));
  s.push_back(
      with(Effect::energy,
           field("system.simulation.power_window_ns", K::real, "ns", kQuantumNs,
                 "window over which power is averaged for peak power, the timeline's "
                 "power tracks and the VCD; it doubles when a run outgrows 4096 windows",
                 [](Topology& t) -> FieldRef { return &t.system.simulation.power_window_ns; })));

  s.push_back(
      with(Effect::structure, field("sip.cube_mesh.w", K::integer, "", {1, false, max_cubes},
                                    "cubes per mesh row (x extent)",
                                    [](Topology& t) -> FieldRef { return &t.sip.cube_mesh.w; })));
  s.push_back(
      with(Effect::structure, field("sip.cube_mesh.h", K::integer, "", {1, false, max_cubes},
                                    "cubes per mesh column (y extent)",
                                    [](Topology& t) -> FieldRef { return &t.sip.cube_mesh.h; })));
  s.push_back(field("sip.io_cube.x", K::integer, "", {0, false, max_cubes - 1},
                    "x of the cube holding the SIP's I/O port (host and inter-SIP links)",
                    [](Topology& t) -> FieldRef { return &t.sip.io_cube.x; }));
  s.push_back(field("sip.io_cube.y", K::integer, "", {0, false, max_cubes - 1},
                    "y of the cube holding the SIP's I/O port",
                    [](Topology& t) -> FieldRef { return &t.sip.io_cube.y; }));
  add_link(s, "sip.mesh_link", "link between two neighbouring cubes of the mesh",
           [](Topology& t) -> LinkAttrs& { return t.sip.mesh_link; });

  s.push_back(with(Effect::structure,
                   field("cube.pe_layout.corners", K::choice_list, "", {},
                         "corners of the cube holding PEs; PEs are numbered corner-major in "
                         "this order",
                         [](Topology& t) -> FieldRef { return &t.cube.pe_layout.corners; },
                         {"NW", "NE", "SW", "SE"})));
  s.push_back(with(Effect::structure,
                   field("cube.pe_layout.pe_per_corner", K::integer, "", {1, false, max_units},
                         "PEs at each corner",
                         [](Topology& t) -> FieldRef { return &t.cube.pe_layout.pe_per_corner; })));
  s.push_back(with(
      Effect::capacity,
      field("cube.memory_map.hbm_total_gb_per_cube", K::real, "GiB", kCapacity,
            "HBM capacity of one cube, split evenly over its slices",
            [](Topology& t) -> FieldRef { return &t.cube.memory_map.hbm_total_gb_per_cube; })));
  s.push_back(
      field("cube.memory_map.hbm_slices_per_cube", K::integer, "", {1, false, max_units},
            "HBM slices per cube; PE p uses slice p mod slices",
            [](Topology& t) -> FieldRef { return &t.cube.memory_map.hbm_slices_per_cube; }));
  s.push_back(with(Effect::capacity,
                   field("cube.memory_map.sram_mb", K::real, "MiB", kCapacity,
                         "capacity of the cube-shared SRAM",
                         [](Topology& t) -> FieldRef { return &t.cube.memory_map.sram_mb; })));
  add_memory(s, "cube.hbm_slice", "HBM slice", false,
             [](Topology& t) -> MemoryPortAttrs& { return t.cube.hbm_slice; });
  add_memory(s, "cube.sram", "cube SRAM", true,
             [](Topology& t) -> MemoryPortAttrs& { return t.cube.sram; });
  add_attrs(s, "cube.router", models::CubeRouterAttrs::schema(),
            [](Topology& t) -> models::CubeRouterAttrs& { return t.cube.router; });
  add_attrs(s, "cube.m_cpu", models::MCpuAttrs::schema(),
            [](Topology& t) -> models::MCpuAttrs& { return t.cube.m_cpu; });
  const std::string pe = "cube.pe_template.components.";
  add_attrs(s, pe + "pe_core.attrs", models::PeCoreAttrs::schema(),
            [](Topology& t) -> models::PeCoreAttrs& {
              return t.cube.pe_template.components.pe_core.attrs;
            });
  add_attrs(s, pe + "pe_tcm.attrs", models::PeTcmAttrs::schema(),
            [](Topology& t) -> models::PeTcmAttrs& {
              return t.cube.pe_template.components.pe_tcm.attrs;
            });
  add_attrs(s, pe + "pe_mmu.attrs", models::PeMmuAttrs::schema(),
            [](Topology& t) -> models::PeMmuAttrs& {
              return t.cube.pe_template.components.pe_mmu.attrs;
            });
  add_attrs(s, pe + "pe_ipcq.attrs", models::PeIpcqAttrs::schema(),
            [](Topology& t) -> models::PeIpcqAttrs& {
              return t.cube.pe_template.components.pe_ipcq.attrs;
            });
  return s;
}

std::string number_text(double v) { return fmt::format("{}", v); }

// True when `path` lies strictly below `section` ("" is the root of every path).
bool is_below(const std::string& path, std::string_view section) {
  if (section.empty()) return true;
  return path.size() > section.size() && path.compare(0, section.size(), section) == 0 &&
         path[section.size()] == '.';
}

}  // namespace

const char* to_string(Effect effect) {
  switch (effect) {
    case Effect::timing: return "timing";
    case Effect::capacity: return "capacity";
    case Effect::structure: return "structure";
    case Effect::simulation: return "simulation";
    case Effect::energy: return "energy";
  }
  return "?";
}

std::string FieldSpec::allowed() const {
  switch (kind) {
    case FieldKind::choice: return fmt::format("one of: {}", fmt::join(choices, ", "));
    case FieldKind::choice_list:
      return fmt::format("a non-empty list of distinct values from: {}", fmt::join(choices, ", "));
    case FieldKind::integer:
    case FieldKind::optional_integer:
    case FieldKind::real: {
      const char* type = kind == FieldKind::real ? "a number" : "an integer";
      if (min_exclusive) {
        return fmt::format("{} > {} and <= {}", type, number_text(min), number_text(max));
      }
      return fmt::format("{} from {} to {}", type, number_text(min), number_text(max));
    }
  }
  return {};
}

std::string FieldSpec::value_text(const Topology& t) const {
  // bind() hands out mutable pointers; this copy keeps the caller's topology read-only.
  Topology copy = t;
  return std::visit(
      [](auto* value) -> std::string {
        using T = std::remove_pointer_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          return fmt::format("[{}]", fmt::join(*value, ", "));
        } else if constexpr (std::is_same_v<T, std::optional<std::int64_t>>) {
          return value->has_value() ? fmt::format("{}", **value) : std::string("derived");
        } else if constexpr (std::is_same_v<T, double>) {
          return number_text(*value);
        } else {
          return fmt::format("{}", *value);
        }
      },
      bind(copy));
}

const std::vector<FieldSpec>& topology_schema() {
  static const std::vector<FieldSpec> schema = build_schema();
  return schema;
}

const FieldSpec* find_field(std::string_view path) {
  for (const auto& f : topology_schema()) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

bool is_section(std::string_view path) {
  return std::any_of(topology_schema().begin(), topology_schema().end(),
                     [&](const FieldSpec& f) { return is_below(f.path, path); });
}

std::vector<std::string> section_keys(std::string_view path) {
  std::vector<std::string> keys;
  const std::size_t skip = path.empty() ? 0 : path.size() + 1;
  for (const auto& f : topology_schema()) {
    if (!is_below(f.path, path)) continue;
    std::string key = f.path.substr(skip, f.path.find('.', skip) - skip);
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  }
  return keys;
}

}  // namespace kb::platform

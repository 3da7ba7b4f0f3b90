#include "platform/topology/schema.h"

#include "models/protocol/phys_addr.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace kb::platform {

namespace {

using models::PhysAddrLayout;

// Every number is bounded both ways; choices take no range ({}).
struct Range {
  double min = 0.0;
  bool min_exclusive = false;
  double max = 0.0;
};

// Physical ranges, wide enough for any machine worth modelling and narrow enough that no
// single transfer, cycle count or latency comes near 2^64 ps (213 days): the largest
// memory (2^36 bytes) through the slowest port takes 7e16 ps. Docs: topology-schema.md.
constexpr Range kLatencyNs{0.0, false, 1e6};        // up to 1 ms
constexpr Range kBandwidthGbps{1e-3, false, 1e6};   // 1 MB/s to 1 PB/s
constexpr Range kFrequencyGhz{1e-3, false, 100.0};  // 1 MHz to 100 GHz
constexpr Range kCycles{0.0, false, 1e6};
constexpr Range kCapacity{0.0, true, 65536.0};  // GiB or MiB; the address map bounds it too
constexpr Range kReserved{0.0, false, 65536.0};
constexpr Range kQuantumNs{0.0, true, 1e6};
constexpr Range kMacsPerCycle{1.0, false, 16777216.0};  // 2^24
constexpr Range kLanes{1.0, false, 1048576.0};          // 2^20
constexpr Range kTlbEntries{1.0, false, 1048576.0};
constexpr Range kPageSize{256.0, false, 1073741824.0};  // 256 B to 1 GiB
constexpr Range kQueueDepth{1.0, false, 65536.0};
// At least the largest element (4 bytes), so that one always fits a queue entry.
constexpr Range kEntryBytes{4.0, false, 1048576.0};

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

// The two attributes every link and memory port carries.
void add_link(std::vector<FieldSpec>& s, const std::string& prefix, const std::string& what,
              PortAttrs& (*attrs)(Topology&)) {
  s.push_back(field(prefix + ".latency_ns", FieldKind::real, "ns", kLatencyNs,
                    "latency of the " + what,
                    [attrs](Topology& t) -> FieldRef { return &attrs(t).latency_ns; }));
  s.push_back(field(prefix + ".bw_gbps", FieldKind::real, "GB/s", kBandwidthGbps,
                    "bandwidth of the " + what + " (10^9 bytes per second)",
                    [attrs](Topology& t) -> FieldRef { return &attrs(t).bw_gbps; }));
}

// The spellings of the fabric's inter-SIP topologies (models/interconnect/fabric.h).
std::vector<std::string> inter_sip_topology_names() {
  std::vector<std::string> names;
  for (models::InterSipTopology t : models::kInterSipTopologies) names.emplace_back(to_string(t));
  return names;
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
           [](Topology& t) -> PortAttrs& { return t.system.inter_sip.link; });
  add_link(s, "system.host_link", "link from the host to each SIP's I/O port",
           [](Topology& t) -> PortAttrs& { return t.system.host_link; });
  s.push_back(with(Effect::simulation,
                   field("system.simulation.quantum_ns", K::real, "ns", kQuantumNs,
                         "temporal-decoupling quantum: how far a thread may run ahead of "
                         "simulated time before it synchronises",
                         [](Topology& t) -> FieldRef { return &t.system.simulation.quantum_ns; })));

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
           [](Topology& t) -> PortAttrs& { return t.sip.mesh_link; });

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
  add_link(s, "cube.hbm_slice", "HBM slice port",
           [](Topology& t) -> PortAttrs& { return t.cube.hbm_slice; });
  add_link(s, "cube.sram", "cube SRAM port", [](Topology& t) -> PortAttrs& { return t.cube.sram; });
  s.push_back(field("cube.router.freq_ghz", K::real, "GHz", kFrequencyGhz,
                    "clock of the cube router",
                    [](Topology& t) -> FieldRef { return &t.cube.router.freq_ghz; }));
  s.push_back(field("cube.router.hop_latency_cycles", K::integer, "cycles", kCycles,
                    "latency of one pass through the cube router",
                    [](Topology& t) -> FieldRef { return &t.cube.router.hop_latency_cycles; }));
  s.push_back(field("cube.router.bw_gbps", K::real, "GB/s", kBandwidthGbps,
                    "bandwidth of each local cube-router port (PEs, HBM slices, SRAM, M_CPU), each "
                    "way; mesh and I/O ports take their link's",
                    [](Topology& t) -> FieldRef { return &t.cube.router.bw_gbps; }));
  s.push_back(field("cube.m_cpu.message_latency_ns", K::real, "ns", kLatencyNs,
                    "management CPU time to handle one control message",
                    [](Topology& t) -> FieldRef { return &t.cube.m_cpu.message_latency_ns; }));
  s.push_back(field("cube.m_cpu.per_pe_latency_ns", K::real, "ns", kLatencyNs,
                    "management CPU time added per PE a message fans out to",
                    [](Topology& t) -> FieldRef { return &t.cube.m_cpu.per_pe_latency_ns; }));

  const std::string core = "cube.pe_template.components.pe_core.attrs.";
  using CoreAttrs = models::PeCoreAttrs;
  auto core_attrs = [](Topology& t) -> CoreAttrs& {
    return t.cube.pe_template.components.pe_core.attrs;
  };
  s.push_back(field(core + "freq_ghz", K::real, "GHz", kFrequencyGhz, "PE core clock",
                    [core_attrs](Topology& t) -> FieldRef { return &core_attrs(t).freq_ghz; }));
  const std::pair<const char*, std::int64_t CoreAttrs::*> macs[] = {
      {"f16", &CoreAttrs::macs_per_cycle_f16},
      {"bf16", &CoreAttrs::macs_per_cycle_bf16},
      {"f32", &CoreAttrs::macs_per_cycle_f32},
      {"i8", &CoreAttrs::macs_per_cycle_i8}};
  for (const auto& [dtype, member] : macs) {
    s.push_back(
        field(core + "macs_per_cycle_" + dtype, K::integer, "MAC/cycle", kMacsPerCycle,
              fmt::format("multiply-accumulates per cycle with {} inputs", dtype),
              [core_attrs, m = member](Topology& t) -> FieldRef { return &(core_attrs(t).*m); }));
  }
  s.push_back(field(core + "vector_lanes", K::integer, "lanes", kLanes,
                    "elements per cycle of the vector unit (elementwise, reductions, casts)",
                    [core_attrs](Topology& t) -> FieldRef { return &core_attrs(t).vector_lanes; }));
  s.push_back(
      field(core + "op_overhead_cycles", K::integer, "cycles", kCycles,
            "fixed issue cost of every kernel operation",
            [core_attrs](Topology& t) -> FieldRef { return &core_attrs(t).op_overhead_cycles; }));

  const std::string tcm = "cube.pe_template.components.pe_tcm.attrs.";
  auto tcm_attrs = [](Topology & t) -> auto& { return t.cube.pe_template.components.pe_tcm.attrs; };
  s.push_back(with(Effect::capacity,
                   field(tcm + "size_mb", K::real, "MiB", kCapacity, "TCM capacity of one PE",
                         [tcm_attrs](Topology& t) -> FieldRef { return &tcm_attrs(t).size_mb; })));
  s.push_back(
      with(Effect::capacity,
           field(tcm + "reserved_mb", K::real, "MiB", kReserved,
                 "TCM reserved for the scheduler at the bottom of each TCM, never allocated",
                 [tcm_attrs](Topology& t) -> FieldRef { return &tcm_attrs(t).reserved_mb; })));
  s.push_back(field(tcm + "bw_gbps", K::real, "GB/s", kBandwidthGbps, "TCM bandwidth",
                    [tcm_attrs](Topology& t) -> FieldRef { return &tcm_attrs(t).bw_gbps; }));
  s.push_back(field(tcm + "latency_cycles", K::integer, "cycles", kCycles,
                    "TCM access latency in PE core cycles",
                    [tcm_attrs](Topology& t) -> FieldRef { return &tcm_attrs(t).latency_cycles; }));

  const std::string mmu = "cube.pe_template.components.pe_mmu.attrs.";
  auto mmu_attrs = [](Topology & t) -> auto& { return t.cube.pe_template.components.pe_mmu.attrs; };
  s.push_back(field(mmu + "page_size", K::integer, "bytes", kPageSize,
                    "MMU page size, a power of two; the virtual allocator's granule",
                    [mmu_attrs](Topology& t) -> FieldRef { return &mmu_attrs(t).page_size; }));
  s.push_back(field(mmu + "tlb_entries", K::integer, "entries", kTlbEntries,
                    "TLB capacity (least recently used replacement)",
                    [mmu_attrs](Topology& t) -> FieldRef { return &mmu_attrs(t).tlb_entries; }));
  s.push_back(field(mmu + "tlb_hit_cycles", K::integer, "cycles", kCycles,
                    "translation cost on a TLB hit",
                    [mmu_attrs](Topology& t) -> FieldRef { return &mmu_attrs(t).tlb_hit_cycles; }));
  s.push_back(field(mmu + "walk_cycles", K::integer, "cycles", kCycles,
                    "page-table walk cost on a TLB miss",
                    [mmu_attrs](Topology& t) -> FieldRef { return &mmu_attrs(t).walk_cycles; }));

  const std::string ipcq = "cube.pe_template.components.pe_ipcq.attrs.";
  auto ipcq_attrs = [](Topology & t) -> auto& {
    return t.cube.pe_template.components.pe_ipcq.attrs;
  };
  s.push_back(field(ipcq + "depth", K::integer, "entries", kQueueDepth,
                    "entries of each per-neighbour receive queue; a full queue stalls the sender",
                    [ipcq_attrs](Topology& t) -> FieldRef { return &ipcq_attrs(t).depth; }));
  s.push_back(field(ipcq + "entry_bytes", K::integer, "bytes", kEntryBytes,
                    "payload bytes of one queue entry",
                    [ipcq_attrs](Topology& t) -> FieldRef { return &ipcq_attrs(t).entry_bytes; }));
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

#include "runtime/tensor/dp_policy.h"

#include <numeric>

#include <fmt/format.h>

#include <ostream>

namespace kb::runtime {

const char* to_string(Split split) {
  switch (split) {
    case Split::replicate: return "replicate";
    case Split::row_wise: return "row_wise";
    case Split::column_wise: return "column_wise";
  }
  return "?";
}

std::optional<Split> parse_split(std::string_view name) {
  for (Split s : {Split::replicate, Split::row_wise, Split::column_wise}) {
    if (name == runtime::to_string(s)) return s;
  }
  return std::nullopt;
}

std::ostream& operator<<(std::ostream& out, Split split) { return out << to_string(split); }

std::string DPPolicy::to_string() const {
  auto count = [](const char* key, const std::optional<std::int64_t>& n) {
    return n ? fmt::format(", {}={}", key, *n) : std::string();
  };
  return fmt::format("DPPolicy(sip={}, cube={}, pe={}{}{}{})", runtime::to_string(sip),
                     runtime::to_string(cube), runtime::to_string(pe), count("num_sips", num_sips),
                     count("num_cubes", num_cubes), count("num_pes", num_pes));
}

MachineShape MachineShape::of(const platform::Topology& topology) {
  MachineShape m{topology.system.sips.count, topology.cubes_per_sip(), topology.pes_per_cube(), 0};
  for (const auto& level : topology.network_levels())
    m.sip_levels.push_back(static_cast<std::uint32_t>(level.size));
  return m;
}

MachineShape MachineShape::only_sip(std::int64_t sip) const {
  if (sip < first_sip || sip >= first_sip + sips) {
    throw PlacementError(fmt::format("SIP {} is outside this machine (SIPs {} to {})", sip,
                                     first_sip, first_sip + sips - 1));
  }
  return {1, cubes_per_sip, pes_per_cube, sip, sip_levels};
}

namespace {

struct Level {
  const char* name;  // "SIP", "cube", "PE"
  Split split;
  std::int64_t first;  // index of the first unit used
  std::int64_t count;  // units used
};

std::int64_t used_units(const char* key, const std::optional<std::int64_t>& requested,
                        std::int64_t available, const char* unit) {
  if (!requested) return available;
  if (*requested < 1 || *requested > available) {
    throw PlacementError(fmt::format("{}={} is out of range: the machine has {} {}(s)", key,
                                     *requested, available, unit));
  }
  return *requested;
}

// Which dimension of the caller's shape a split divides, for error messages.
std::string dimension_name(bool rows, std::size_t rank) {
  if (!rows) return fmt::format("dimension {} (columns)", rank == 0 ? 0 : rank - 1);
  if (rank <= 1) return "the rows (a 1-D tensor has one)";
  if (rank == 2) return "dimension 0 (rows)";
  return fmt::format("the rows (dimensions 0 to {} folded)", rank - 2);
}

// A block of the 2-D view on its way down the levels.
struct Partial {
  std::uint64_t row_begin, rows, col_begin, cols, block;
  std::uint32_t coord[3];
};

}  // namespace

DPPolicy spread_over_sip(Split split, std::int64_t extent, const MachineShape& machine,
                         MemoryKind memory) {
  const std::int64_t cubes = std::gcd(std::max<std::int64_t>(extent, 1), machine.cubes_per_sip);
  const std::int64_t pes =
      std::gcd(std::max<std::int64_t>(extent, 1) / cubes, machine.pes_per_cube);
  return DPPolicy{Split::replicate, split, split, std::nullopt, cubes, pes, memory};
}

Placement resolve_placement(const DPPolicy& policy, const std::vector<std::int64_t>& shape,
                            DType dtype, const MachineShape& machine,
                            std::optional<std::int64_t> device_sip) {
  Placement placement;
  placement.rows = 1;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] < 1) {
      throw PlacementError(
          fmt::format("dimension {} has size {}; every dimension must be >= 1", d, shape[d]));
    }
    if (d + 1 < shape.size()) placement.rows *= static_cast<std::uint64_t>(shape[d]);
  }
  placement.cols = shape.empty() ? 1 : static_cast<std::uint64_t>(shape.back());

  Level levels[3] = {
      {"SIP", policy.sip, machine.first_sip,
       used_units("num_sips", policy.num_sips, machine.sips, "SIP")},
      {"cube", policy.cube, 0,
       used_units("num_cubes", policy.num_cubes, machine.cubes_per_sip, "cube")},
      {"PE", policy.pe, 0, used_units("num_pes", policy.num_pes, machine.pes_per_cube, "PE")}};
  if (device_sip && policy.sip == Split::replicate && !policy.num_sips) {
    if (*device_sip < machine.first_sip || *device_sip >= machine.first_sip + machine.sips) {
      throw PlacementError(fmt::format("device {} is not a SIP of this context (SIPs {} to {})",
                                       *device_sip, machine.first_sip,
                                       machine.first_sip + machine.sips - 1));
    }
    levels[0].first = *device_sip;
    levels[0].count = 1;
  }

  std::vector<Partial> partials{{0, placement.rows, 0, placement.cols, 0, {0, 0, 0}}};
  placement.blocks = 1;
  for (std::size_t l = 0; l < 3; ++l) {
    const Level& level = levels[l];
    const auto n = static_cast<std::uint64_t>(level.count);
    std::vector<Partial> next;
    next.reserve(partials.size() * n);
    for (const Partial& p : partials) {
      for (std::uint64_t u = 0; u < n; ++u) {
        Partial c = p;
        c.coord[l] = static_cast<std::uint32_t>(level.first + static_cast<std::int64_t>(u));
        if (level.split == Split::replicate) {
          next.push_back(c);
          continue;
        }
        const bool by_rows = level.split == Split::row_wise;
        const std::uint64_t extent = by_rows ? p.rows : p.cols;
        if (extent % n != 0) {
          throw PlacementError(
              fmt::format("cannot split {} {} over {} {}s: {} is not a multiple of {}",
                          dimension_name(by_rows, shape.size()), runtime::to_string(level.split), n,
                          level.name, extent, n));
        }
        const std::uint64_t part = extent / n;
        (by_rows ? c.rows : c.cols) = part;
        (by_rows ? c.row_begin : c.col_begin) += u * part;
        c.block = p.block * n + u;
        next.push_back(c);
      }
    }
    if (level.split != Split::replicate) placement.blocks *= n;
    partials = std::move(next);
  }

  const std::uint64_t size = itemsize(dtype);
  placement.block_bytes = placement.rows * placement.cols / placement.blocks * size;
  const auto pes = static_cast<std::uint64_t>(machine.pes_per_cube);
  const auto cubes = static_cast<std::uint64_t>(machine.cubes_per_sip);
  placement.shards.reserve(partials.size());
  for (const Partial& p : partials) {
    Shard s;
    s.sip = p.coord[0];
    s.cube = p.coord[1];
    s.pe = p.coord[2];
    s.global_pe = (s.sip * cubes + s.cube) * pes + s.pe;
    s.row_begin = p.row_begin;
    s.rows = p.rows;
    s.col_begin = p.col_begin;
    s.cols = p.cols;
    s.block = p.block;
    s.offset_bytes = p.block * placement.block_bytes;
    s.nbytes = p.rows * p.cols * size;
    placement.shards.push_back(s);
  }
  return placement;
}

}  // namespace kb::runtime

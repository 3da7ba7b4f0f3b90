#pragma once
// Data-parallel placement (docs/addressing.md): how a tensor is split or replicated over SIPs,
// cubes and PEs, resolved into shards.
//
// The tensor is viewed in 2-D: a 1-D shape (n) is (1, n), and a shape of three or more
// dimensions folds its leading dimensions into rows (rows = product of all but the last).
// Each level (SIP, then cube, then PE) either replicates the block it receives or splits
// it into contiguous equal blocks by rows (row_wise) or by columns (column_wise).
// Distinct blocks are laid out one after another in the tensor's virtual range in
// level-major order (SIP block, then cube block, then PE block); replicas of a block share
// its virtual range.

#include "platform/topology/topology.h"
#include "runtime/tensor/dtype.h"

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace kb::runtime {

enum class Split : std::uint8_t { replicate, row_wise, column_wise };

const char* to_string(Split split);
std::optional<Split> parse_split(std::string_view name);
std::ostream& operator<<(std::ostream& out, Split split);

// Where a tensor's shards live: each PE's HBM slice, or (for a tensor every PE of a cube
// reads whole: the PE level replicated) one copy per cube in the cube-shared SRAM.
enum class MemoryKind : std::uint8_t { hbm, sram };
const char* to_string(MemoryKind memory);

// Every level is named at construction: no tensor is placed by a default (the original's
// "dp=DPPolicy(...) is required" becomes a compile error).
struct DPPolicy {
  DPPolicy(Split sip_split, Split cube_split, Split pe_split,
           std::optional<std::int64_t> sips = std::nullopt,
           std::optional<std::int64_t> cubes = std::nullopt,
           std::optional<std::int64_t> pes = std::nullopt, MemoryKind where = MemoryKind::hbm)
      : sip(sip_split),
        cube(cube_split),
        pe(pe_split),
        num_sips(sips),
        num_cubes(cubes),
        num_pes(pes),
        memory(where) {}

  Split sip;
  Split cube;
  Split pe;
  // Use only the first n SIPs / cubes / PEs of each level (default: all of them).
  std::optional<std::int64_t> num_sips;
  std::optional<std::int64_t> num_cubes;
  std::optional<std::int64_t> num_pes;
  MemoryKind memory;

  std::string to_string() const;
};

// The machine dimensions placement works over.
struct MachineShape {
  std::int64_t sips = 1;
  std::int64_t cubes_per_sip = 1;
  std::int64_t pes_per_cube = 1;
  std::int64_t first_sip = 0;  // a context bound to one SIP places from there
  // The inter-SIP network's level sizes, innermost first (platform/topology/topology.h).
  std::vector<std::uint32_t> sip_levels = {};

  static MachineShape of(const platform::Topology& topology);
  // The same machine seen by a context bound to SIP `sip` alone.
  MachineShape only_sip(std::int64_t sip) const;
};

struct Shard {
  std::uint32_t sip = 0;
  std::uint32_t cube = 0;       // within the SIP
  std::uint32_t pe = 0;         // within the cube
  std::uint64_t global_pe = 0;  // sip * cubes_per_sip * pes_per_cube + cube * pes + pe
  std::uint64_t row_begin = 0;  // the block of the 2-D view this shard holds
  std::uint64_t rows = 0;
  std::uint64_t col_begin = 0;
  std::uint64_t cols = 0;
  std::uint64_t block = 0;         // index of the distinct block; replicas share it
  std::uint64_t offset_bytes = 0;  // block * block bytes: its place in the virtual range
  std::uint64_t nbytes = 0;
};

struct Placement {
  std::uint64_t rows = 0;  // the 2-D view
  std::uint64_t cols = 0;
  std::uint64_t blocks = 0;       // distinct blocks
  std::uint64_t block_bytes = 0;  // bytes of each block
  std::vector<Shard> shards;      // ordered by (sip, cube, pe)

  std::uint64_t nbytes() const { return blocks * block_bytes; }  // the virtual range
};

// A policy that cannot be applied: a dimension that does not divide, a num_* out of range.
class PlacementError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Splits `extent` elements (the rows for row_wise, the columns for column_wise) of a
// tensor over as many cubes of one SIP, then PEs of each, as divide it evenly (the first
// ones; the SIP level replicates, so a context bound to a SIP places it there): a dimension
// of any size spreads as far as it can.
DPPolicy spread_over_sip(Split split, std::int64_t extent, const MachineShape& machine,
                         MemoryKind memory = MemoryKind::hbm);

// Resolves `policy` for a tensor of `shape` and `dtype` on `machine`. When `device_sip`
// is set (the calling thread's set_device) and the policy replicates at the SIP level
// without num_sips, the tensor lives on that SIP only.
Placement resolve_placement(const DPPolicy& policy, const std::vector<std::int64_t>& shape,
                            DType dtype, const MachineShape& machine,
                            std::optional<std::int64_t> device_sip = std::nullopt);

}  // namespace kb::runtime

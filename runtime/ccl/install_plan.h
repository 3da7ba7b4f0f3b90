#pragma once
// The IPCQ install plan (the seed's install_ipcq): which PE each rank is, and which ranks
// each one exchanges with under the chosen algorithm.
//
// Default rank order (docs/collectives.md): SIP by SIP; within a SIP, cubes along a closed
// path over the mesh that starts at the I/O cube (0, 0) and returns next to it (row 0 left
// to right, the other rows snaking over columns 1..w-1, back up column 0), so that ring
// neighbours are mesh neighbours and each SIP's ring segment starts and ends at its I/O
// port; within a cube, PEs in order. On meshes with no closed path (both sides odd), a
// snake, whose closing step spans the mesh.

#include "runtime/ccl/ccl_config.h"
#include "runtime/memory/pe_memory_allocator.h"
#include "runtime/tensor/dp_policy.h"

#include <nlohmann/json.hpp>

#include <map>
#include <vector>

namespace kb::runtime {

struct IpcqPlan {
  CclAlgorithmConfig config;
  std::uint32_t world_size = 0;
  std::vector<PeCoord> rank_to_pe;                     // rank -> PE
  std::vector<std::vector<std::uint32_t>> neighbours;  // rank -> ranks it exchanges with
  std::uint64_t piece_bytes = 0;                       // pipelining piece used by the kernels
  std::uint64_t queue_depth = 1;                       // entries of each IPCQ receive queue
  std::uint64_t entry_bytes = 1;                       // payload bytes of one entry
  // The machine's inter-SIP network: each level's size, innermost first (empty: one
  // level of every SIP); algorithms that follow the levels read it.
  std::vector<std::uint32_t> sip_levels;

  // A piece of `dtype` elements: piece_bytes rounded to whole elements, at least one.
  std::int64_t piece_elements(DType dtype) const;
  // How many pieces a rank may send ahead of its receives. Every rank of a ring may send
  // first, so what one sends ahead must fit its peer's queue, or each would wait for credits
  // that only its own receives free (a deadlock for shallow queues).
  std::int64_t lookahead_pieces(DType dtype) const;
  // Transfers of `unit_bytes` a rank may send ahead of its receives: as many as the
  // peer's queue holds besides the one being sent, at most 3.
  std::int64_t lookahead_of(std::uint64_t unit_bytes) const;
  // The bytes a receive queue holds.
  std::uint64_t queue_bytes() const { return queue_depth * entry_bytes; }
  // Whether a transfer of `bytes` fills more than a queue: past its first queue's worth,
  // its entries wait for the receiver to take earlier ones.
  bool beyond_queue(std::uint64_t bytes) const { return bytes > queue_bytes(); }

  // The rank of a PE, or -1 when the PE takes no part.
  std::int64_t rank_of(const PeCoord& pe) const;
  nlohmann::ordered_json to_json() const;
  std::string to_string() const;  // one line per rank

 private:
  friend IpcqPlan build_plan(const CclAlgorithmConfig&, const MachineShape&, std::uint32_t,
                             std::uint32_t, const std::vector<PeCoord>*, std::uint64_t,
                             std::uint64_t);
  friend IpcqPlan subgroup(const IpcqPlan&, const std::vector<std::uint32_t>&);
  std::map<std::uint64_t, std::uint32_t> rank_by_pe_;
};

// The plan of a communicator group of some of `plan`'s ranks (`members`, in its order):
// rank i is plan's members[i], its neighbours those its algorithm gives among them. Its
// collectives run over `plan`'s queues (RankComm::map_ranks), which must connect every pair
// they exchange between (a full mesh, as pairwise's install makes, does). Throws
// std::invalid_argument for a rank that is not plan's or appears twice.
IpcqPlan subgroup(const IpcqPlan& plan, const std::vector<std::uint32_t>& members);

// Adds to `plan` the queues each of `groups` (communicator groups of its ranks) needs to run
// its algorithms (the config's and its tuning table's) among its own members.
void connect_subgroups(IpcqPlan& plan, const std::vector<std::vector<std::uint32_t>>& groups);

// The default order of `count` ranks over `machine` (mesh w x h).
std::vector<PeCoord> default_rank_order(const MachineShape& machine, std::uint32_t mesh_w,
                                        std::uint32_t mesh_h, std::uint32_t count);

// The plan for `config` on `machine`: world size from the config, else every PE; ranks
// placed by `rank_to_pe` when given (checked: distinct PEs inside the machine), else in the
// default order. A queue's window (depth x entry bytes) caps the piece size.
IpcqPlan build_plan(const CclAlgorithmConfig& config, const MachineShape& machine,
                    std::uint32_t mesh_w, std::uint32_t mesh_h,
                    const std::vector<PeCoord>* rank_to_pe, std::uint64_t queue_depth,
                    std::uint64_t entry_bytes);

}  // namespace kb::runtime

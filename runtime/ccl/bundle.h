#pragma once
// Ranks that run in lockstep over congruent resources, simulated as one: a bundle.
//
// In a ring all-reduce over the 1,024 PEs of 8 SIPs, rank r + 128 does on SIP 1 what rank
// r does on SIP 0, at the same times: the same steps on the same chunks shifted by 128,
// over routes of the same hops, bandwidths and latencies. Simulating all 1,024 ranks costs
// 2.1 million rank-steps; the 128 ranks of one SIP carry the same information. When shifting
// every rank by `period` puts it at the same place of another SIP, maps its routes to its
// neighbours, the routes back (its credits) and the routes to its buffers onto ones of the
// same hops, and the algorithm's steps shift with the ranks (CclAlgorithm::shifted_start),
// the ranks [0, period), the leaders, run for all, and the others, their copies, are not
// launched (docs/adr/0022-bundles.md).
//
// A leader's transfer to a leader goes as ever. One to a copy goes as its congruent copy
// that ends at a leader: sent from the queues of the copy that starts it
// (PeServices::ipcq_send_at) to the leader `peer mod period`, so that it crosses the
// resources that copy of the edge would, and arrives where a leader takes it.

#include "models/interconnect/fabric.h"
#include "runtime/ccl/collective.h"
#include "runtime/ccl/install_plan.h"

#include <optional>
#include <vector>

namespace kb::runtime {

class CclAlgorithm;

struct Bundle {
  std::uint32_t period = 1;  // leaders: ranks [0, period)
  std::uint32_t world = 1;

  bool leads(std::uint32_t rank) const { return rank < period; }
  // A leader's send to `peer`, a copy: the congruent edge that ends at a leader, sent from
  // the copy (`from`) that starts it to the leader `to`.
  struct Edge {
    std::uint32_t from = 0;
    std::uint32_t to = 0;
  };
  Edge send_copy(std::uint32_t rank, std::uint32_t peer) const {
    const std::uint32_t to = peer % period;
    return {(rank + world - (peer - to)) % world, to};
  }
};

// The bundle of `plan`'s ranks running `kind` with `algorithm` whose buffers lie at
// `buffers` (each rank's input, then each rank's output if another tensor: world or
// 2 x world endpoints), with the shortest period, a multiple of `period_step` (ranks whose
// input loads are alike only that many apart), that keeps every rank's routes congruent to
// its leader's; none when only the whole world does, or the algorithm's steps do not shift
// with the ranks.
std::optional<Bundle> find_bundle(const IpcqPlan& plan, const CclAlgorithm& algorithm,
                                  Collective kind, const models::Fabric& fabric,
                                  const std::vector<models::Endpoint>& buffers,
                                  std::uint32_t period_step);

}  // namespace kb::runtime

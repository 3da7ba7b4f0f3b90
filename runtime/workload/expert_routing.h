#pragma once
// Which experts each token of a mixture-of-experts step goes to, and the buffers the
// dispatch fills (docs/workloads.md, "Mixture of experts"). The step's graph is built
// before it runs, and the tokens each expert gets size its buffers and its products, so
// the routing is drawn when the step is built, from a seeded distribution (as serving
// simulators draw it): every token picks num_experts_per_tok distinct experts, expert 0
// with probability 1/E + skew (1 - 1/E) and the others evenly with the rest (skew 0:
// uniform; 1: every token's first choice is expert 0, a hot expert). The router's logits
// then weigh the chosen experts as the model does (runtime/kernels/expert_gates.cpp).
//
// Dispatch is dropless with a fixed capacity: each rank sends each expert a block of
// `capacity` rows, C = the most tokens any rank sends any one expert in any layer, padded
// with zeros; a skewed routing grows C, so the padding it costs travels through the
// all-to-all and the experts' products on every rank.

#include "runtime/tensor/dp_policy.h"
#include "runtime/workload/step_shape.h"

#include <cstdint>
#include <vector>

namespace kb::runtime {

struct ExpertRouting {
  std::int64_t experts = 0, per_token = 0;
  std::int64_t ranks = 1;     // expert-parallel ranks: rank r holds experts [r J, (r + 1) J)
  std::int64_t capacity = 0;  // C
  // [layer][replica: ep rank x microbatches + microbatch][token x per_token + k]: the expert;
  // empty for a dense layer.
  std::vector<std::vector<std::vector<std::int32_t>>> choices;
  // Tokens each expert gets over the step, summed over layers and replicas.
  std::vector<std::int64_t> load;

  std::int64_t local() const { return experts / ranks; }  // J: experts a rank holds
  // A replica's choices in `layer` (none in a dense layer).
  const std::vector<std::int32_t>& of(std::int64_t layer, std::int64_t replica) const;
  // The busiest expert's tokens over the average's: 1 when balanced.
  double imbalance() const;
};

// The routing of `shape`'s layers of `model` (empty for a dense model).
ExpertRouting route_experts(const ModelConfig& model, const StepShape& shape);

// Where the dispatched rows lie in an expert's buffers: `pes` PEs of a SIP each hold, for
// every rank in turn, `slots` consecutive rows, so that each PE's block splits into one
// chunk per rank as the all-to-all exchanges them (runtime/host/distributed.h). A rank's
// `capacity` rows for one expert are spread over the PEs, `slots` on each.
struct ExpertBuffers {
  std::int64_t pes = 1, slots = 0, ranks = 1;
  std::int64_t rows() const { return pes * ranks * slots; }
  // The row of slot `slot` (0 .. pes x slots) of rank `rank`'s chunk.
  std::int64_t row(std::int64_t rank, std::int64_t slot) const {
    return slot / slots * ranks * slots + rank * slots + slot % slots;
  }
  // Their placement: rows split over the `pes` PEs.
  DPPolicy policy(const MachineShape& machine) const;
};
// The buffers for `routing` on a SIP shaped `machine`: as many PEs as C spreads over
// evenly (a power of two up to the SIP's PEs).
ExpertBuffers expert_buffers(const ExpertRouting& routing, const MachineShape& machine);

}  // namespace kb::runtime

#pragma once
// What one SIP of a transformer step holds (docs/workloads.md, "Capacity"): its tensors'
// placement and their bytes by kind, against the HBM its PEs allocate from. The llm bench
// refuses a step that does not fit; the serve bench sizes its KV pool from what is left.

#include "testbenches/benches/bench.h"

#include "runtime/workload/projection_mapper.h"
#include "runtime/workload/step_shape.h"

namespace kb::bench {

struct SipMemory {
  Footprint footprint;
  std::uint64_t weights = 0, cache = 0, activations = 0;
  std::uint64_t address_space = 0;  // page-rounded, as the context's allocator hands it out
  std::uint64_t capacity = 0;       // the HBM the SIP's PEs allocate from
};

SipMemory sip_memory(const runtime::ModelConfig& model, const runtime::StepShape& shape,
                     const runtime::ProjectionMap& map, const platform::Topology& topology);

std::string gib(std::uint64_t bytes);

}  // namespace kb::bench

#include "testbenches/benches/step_memory.h"

#include "runtime/memory/pe_memory_allocator.h"
#include "runtime/workload/transformer_step.h"

#include <fmt/format.h>

namespace kb::bench {

SipMemory sip_memory(const runtime::ModelConfig& model, const runtime::StepShape& shape,
                     const runtime::ProjectionMap& map, const platform::Topology& topology) {
  const runtime::MachineShape sip = runtime::MachineShape::of(topology).only_sip(0);
  const std::uint64_t page = topology.page_size();
  std::uint64_t capacity = 0;
  const auto pes = static_cast<std::uint32_t>(topology.pes_per_cube());
  for (std::uint32_t pe = 0; pe < pes; ++pe) {
    capacity += runtime::hbm_partition(topology, pe).size *
                static_cast<std::uint64_t>(topology.cubes_per_sip());
  }
  // Every SIP of the step, the fullest kept: a stage's layers, the first stage's embedding,
  // the last stage's head; a microbatch's own tensors once per microbatch.
  SipMemory fullest;
  const runtime::ExpertRouting routing = runtime::route_experts(model, shape);
  for (std::int64_t device = 0; device < shape.sips(); ++device) {
    SipMemory m;
    m.capacity = capacity;
    for (const runtime::StepTensor& t : runtime::step_tensors(
             model, shape, sip, map, runtime::stage_part(shape, device), routing)) {
      for (std::int64_t j = 0; j < (t.microbatched ? shape.microbatches : 1); ++j) {
        // As the SIP's own context places it (SIP 0 stands for each: they are alike).
        const Footprint f = check_placement(topology, t.name, t.shape, t.dtype, t.policy, 0);
        m.footprint += f;
        m.address_space += (f.device_bytes + page - 1) / page * page;
        switch (t.kind) {
          case runtime::StepTensor::Kind::weight: m.weights += f.device_bytes; break;
          case runtime::StepTensor::Kind::cache: m.cache += f.device_bytes; break;
          case runtime::StepTensor::Kind::activation: m.activations += f.device_bytes; break;
        }
      }
    }
    if (device == 0 ||
        m.weights + m.cache + m.activations > fullest.weights + fullest.cache + fullest.activations)
      fullest = std::move(m);
  }
  return fullest;
}

std::string gib(std::uint64_t bytes) {
  return fmt::format("{:.2f} GiB", static_cast<double>(bytes) / (1ULL << 30));
}

}  // namespace kb::bench

#pragma once
// Without SystemC: the topology embeds it, and its loader builds without the kernel.

#include <cstdint>

namespace kb::models {

// The topology keys of every PE core (cube.pe_template.components.pe_core.attrs). The
// core model uses the clock; kernels charge their operations with the rest.
struct PeCoreAttrs {
  double freq_ghz = 1.0;
  std::int64_t macs_per_cycle_f16 = 1024;
  std::int64_t macs_per_cycle_bf16 = 1024;
  std::int64_t macs_per_cycle_f32 = 256;
  std::int64_t macs_per_cycle_i8 = 2048;
  std::int64_t vector_lanes = 64;
  std::int64_t op_overhead_cycles = 4;
};

}  // namespace kb::models

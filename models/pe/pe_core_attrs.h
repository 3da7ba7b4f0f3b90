#pragma once
// Without SystemC: the topology embeds it, and its loader builds without the kernel.

#include "models/common/attr_schema.h"

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

  static std::vector<AttrRow<PeCoreAttrs>> schema() {
    using A = PeCoreAttrs;
    return {{"freq_ghz", "GHz", kFrequencyGhz, "PE core clock", &A::freq_ghz},
            {"macs_per_cycle_f16", "MAC/cycle", kMacsPerCycle,
             "multiply-accumulates per cycle with f16 inputs", &A::macs_per_cycle_f16},
            {"macs_per_cycle_bf16", "MAC/cycle", kMacsPerCycle,
             "multiply-accumulates per cycle with bf16 inputs", &A::macs_per_cycle_bf16},
            {"macs_per_cycle_f32", "MAC/cycle", kMacsPerCycle,
             "multiply-accumulates per cycle with f32 inputs", &A::macs_per_cycle_f32},
            {"macs_per_cycle_i8", "MAC/cycle", kMacsPerCycle,
             "multiply-accumulates per cycle with i8 inputs", &A::macs_per_cycle_i8},
            {"vector_lanes", "lanes", kLanes,
             "elements per cycle of the vector unit (elementwise, reductions, casts)",
             &A::vector_lanes},
            {"op_overhead_cycles", "cycles", kCycles, "fixed issue cost of every kernel operation",
             &A::op_overhead_cycles}};
  }
};

}  // namespace kb::models

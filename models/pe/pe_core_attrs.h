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
  std::int64_t dequant_per_cycle = 256;
  std::int64_t op_overhead_cycles = 4;
  // Energy and area at 7 nm (docs/energy.md): per MAC by input type, per vector element.
  double pj_per_mac_f16 = 0.30;
  double pj_per_mac_bf16 = 0.30;
  double pj_per_mac_f32 = 0.92;
  double pj_per_mac_i8 = 0.046;
  double pj_per_vector_op = 0.18;
  double static_w = 0.05;
  double area_mm2_per_mac = 0.00015;  // per f16 MAC of the array
  double area_mm2_base = 0.1;         // vector unit, control, register files

  static std::vector<AttrRow<PeCoreAttrs>> schema() {
    using A = PeCoreAttrs;
    return {
        {"freq_ghz", "GHz", kFrequencyGhz, "PE core clock", &A::freq_ghz},
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
        {"dequant_per_cycle", "weights/cycle", kLanes,
         "int8 or int4 weight codes the core turns into the MAC array's input type per cycle "
         "(unpack, scale), before a product of quantised weights",
         &A::dequant_per_cycle},
        {"op_overhead_cycles", "cycles", kCycles, "fixed issue cost of every kernel operation",
         &A::op_overhead_cycles},
        {"pj_per_mac_f16", "pJ", kPicojoules, "energy of one multiply-accumulate of f16 inputs",
         &A::pj_per_mac_f16, AttrEffect::energy},
        {"pj_per_mac_bf16", "pJ", kPicojoules, "energy of one multiply-accumulate of bf16 inputs",
         &A::pj_per_mac_bf16, AttrEffect::energy},
        {"pj_per_mac_f32", "pJ", kPicojoules, "energy of one multiply-accumulate of f32 inputs",
         &A::pj_per_mac_f32, AttrEffect::energy},
        {"pj_per_mac_i8", "pJ", kPicojoules,
         "energy of one multiply-accumulate of 8-bit integer inputs", &A::pj_per_mac_i8,
         AttrEffect::energy},
        {"pj_per_vector_op", "pJ", kPicojoules,
         "energy of the vector unit per element of an elementwise operation, reduction or cast",
         &A::pj_per_vector_op, AttrEffect::energy},
        {"static_w", "W", kWatts, "static power of one PE core", &A::static_w, AttrEffect::energy},
        {"area_mm2_per_mac", "mm^2", kSquareMm,
         "area of the MAC array per f16 MAC per cycle (macs_per_cycle_f16 of them)",
         &A::area_mm2_per_mac, AttrEffect::energy},
        {"area_mm2_base", "mm^2", kSquareMm,
         "area of the rest of the core: vector unit, control, register files", &A::area_mm2_base,
         AttrEffect::energy}};
  }
};

}  // namespace kb::models

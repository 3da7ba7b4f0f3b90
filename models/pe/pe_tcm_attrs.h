#pragma once
// Without SystemC: the topology embeds it, and its loader builds without the kernel.

#include "models/common/attr_schema.h"

#include <cstdint>

namespace kb::models {

// The topology keys of every PE's TCM (cube.pe_template.components.pe_tcm.attrs); the
// runtime's allocator keeps reserved_mb for the scheduler.
struct PeTcmAttrs {
  double size_mb = 16.0;
  double reserved_mb = 4.0;
  double bw_gbps = 512.0;
  std::int64_t latency_cycles = 4;
  double read_pj_per_byte = 0.5;
  double write_pj_per_byte = 0.5;
  double static_w_per_mb = 0.02;
  double area_mm2_per_mb = 0.32;

  static std::vector<AttrRow<PeTcmAttrs>> schema() {
    using A = PeTcmAttrs;
    return {
        {"size_mb", "MiB", kCapacity, "TCM capacity of one PE", &A::size_mb, AttrEffect::capacity},
        {"reserved_mb", "MiB", kReserved,
         "TCM reserved for the scheduler at the bottom of each TCM, never allocated",
         &A::reserved_mb, AttrEffect::capacity},
        {"bw_gbps", "GB/s", kBandwidthGbps, "TCM bandwidth", &A::bw_gbps},
        {"latency_cycles", "cycles", kCycles, "TCM access latency in PE core cycles",
         &A::latency_cycles},
        {"read_pj_per_byte", "pJ/B", kPicojoules, "energy of one byte read from the TCM",
         &A::read_pj_per_byte, AttrEffect::energy},
        {"write_pj_per_byte", "pJ/B", kPicojoules, "energy of one byte written to the TCM",
         &A::write_pj_per_byte, AttrEffect::energy},
        {"static_w_per_mb", "W", kWatts, "static power of the TCM per MiB of capacity",
         &A::static_w_per_mb, AttrEffect::energy},
        {"area_mm2_per_mb", "mm^2", kSquareMm, "area of the TCM per MiB of capacity",
         &A::area_mm2_per_mb, AttrEffect::energy}};
  }
};

}  // namespace kb::models

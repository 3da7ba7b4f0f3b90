#pragma once
// Without SystemC: the topology embeds it, and its loader builds without the kernel.

#include "models/common/attr_schema.h"

#include <cstdint>

namespace kb::models {

// The topology keys of every cube router (cube.router).
struct CubeRouterAttrs {
  double freq_ghz = 1.0;
  std::int64_t hop_latency_cycles = 2;
  double bw_gbps = 128.0;  // each local port (PE, HBM, SRAM, M_CPU), each way
  double pj_per_byte = 0.5;
  double static_w = 0.05;
  double area_mm2_per_port = 0.02;

  static std::vector<AttrRow<CubeRouterAttrs>> schema() {
    using A = CubeRouterAttrs;
    return {{"freq_ghz", "GHz", kFrequencyGhz, "clock of the cube router", &A::freq_ghz},
            {"hop_latency_cycles", "cycles", kCycles, "latency of one pass through the cube router",
             &A::hop_latency_cycles},
            {"bw_gbps", "GB/s", kBandwidthGbps,
             "bandwidth of each local cube-router port (PEs, HBM slices, SRAM, M_CPU), each "
             "way; mesh and I/O ports take their link's",
             &A::bw_gbps},
            {"pj_per_byte", "pJ/B", kPicojoules, "energy of one byte passing through the router",
             &A::pj_per_byte, AttrEffect::energy},
            {"static_w", "W", kWatts, "static power of one cube router", &A::static_w,
             AttrEffect::energy},
            {"area_mm2_per_port", "mm^2", kSquareMm,
             "area of the router per port (PEs, HBM slices, SRAM, M_CPU, mesh and I/O)",
             &A::area_mm2_per_port, AttrEffect::energy}};
  }
};

}  // namespace kb::models

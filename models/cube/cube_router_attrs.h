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

  static std::vector<AttrRow<CubeRouterAttrs>> schema() {
    using A = CubeRouterAttrs;
    return {{"freq_ghz", "GHz", kFrequencyGhz, "clock of the cube router", &A::freq_ghz},
            {"hop_latency_cycles", "cycles", kCycles, "latency of one pass through the cube router",
             &A::hop_latency_cycles},
            {"bw_gbps", "GB/s", kBandwidthGbps,
             "bandwidth of each local cube-router port (PEs, HBM slices, SRAM, M_CPU), each "
             "way; mesh and I/O ports take their link's",
             &A::bw_gbps}};
  }
};

}  // namespace kb::models

#pragma once
// Without SystemC: the topology embeds it, and its loader builds without the kernel.

#include <cstdint>

namespace kb::models {

// The topology keys of every cube router (cube.router).
struct CubeRouterAttrs {
  double freq_ghz = 1.0;
  std::int64_t hop_latency_cycles = 2;
  double bw_gbps = 128.0;  // each local port (PE, HBM, SRAM, M_CPU), each way
};

}  // namespace kb::models

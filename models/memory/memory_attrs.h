#pragma once
// Without SystemC: the topology embeds it, and its loader builds without the kernel.

#include <cstdint>

namespace kb::models {

// The topology keys of a memory port (HBM slice, cube SRAM); each memory of the topology
// gives its own defaults (platform/topology/topology.h).
struct MemoryAttrs {
  double latency_ns = 0.0;
  double bw_gbps = 0.0;
};

}  // namespace kb::models

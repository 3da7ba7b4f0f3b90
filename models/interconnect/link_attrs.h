#pragma once
// Without SystemC: the topology embeds it, and its loader builds without the kernel.

#include <cstdint>

namespace kb::models {

// A link's topology keys (`*.latency_ns`, `*.bw_gbps`); each link of the topology gives
// its own defaults (platform/topology/topology.h).
struct LinkAttrs {
  double latency_ns = 0.0;
  double bw_gbps = 0.0;
};

}  // namespace kb::models

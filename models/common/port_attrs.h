#pragma once
// Without SystemC: the topology embeds it, and its loader builds without the kernel.

namespace kb::models {

// The topology keys of every link and memory port (`*.latency_ns`, `*.bw_gbps`). Each
// link and memory of the topology gives its own defaults (platform/topology/topology.h).
struct PortAttrs {
  double latency_ns = 0.0;
  double bw_gbps = 0.0;
};

}  // namespace kb::models

#pragma once
// Without SystemC: the topology embeds it, and its loader builds without the kernel.

#include "models/common/attr_schema.h"

namespace kb::models {

// The topology keys of every link and memory port (`*.latency_ns`, `*.bw_gbps`). Each
// link and memory of the topology gives its own defaults (platform/topology/topology.h).
struct PortAttrs {
  double latency_ns = 0.0;
  double bw_gbps = 0.0;

  // The rows of a port that is the `what` ("link between two SIPs").
  static std::vector<AttrRow<PortAttrs>> schema(const std::string& what) {
    return {{"latency_ns", "ns", kLatencyNs, "latency of the " + what, &PortAttrs::latency_ns},
            {"bw_gbps", "GB/s", kBandwidthGbps,
             "bandwidth of the " + what + " (10^9 bytes per second)", &PortAttrs::bw_gbps}};
  }
};

}  // namespace kb::models

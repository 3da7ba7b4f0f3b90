#pragma once
// Without SystemC: the topology embeds it, and its loader builds without the kernel.

#include "models/common/attr_schema.h"

#include <cstdint>

namespace kb::models {

// The topology keys of every cube's management CPU (cube.m_cpu).
struct MCpuAttrs {
  double message_latency_ns = 200.0;
  double per_pe_latency_ns = 20.0;

  static std::vector<AttrRow<MCpuAttrs>> schema() {
    using A = MCpuAttrs;
    return {{"message_latency_ns", "ns", kLatencyNs,
             "management CPU time to handle one control message", &A::message_latency_ns},
            {"per_pe_latency_ns", "ns", kLatencyNs,
             "management CPU time added per PE a message fans out to", &A::per_pe_latency_ns}};
  }
};

}  // namespace kb::models

#pragma once
// Without SystemC: the topology embeds it, and its loader builds without the kernel.

#include "models/common/attr_schema.h"

#include <cstdint>

namespace kb::models {

// The topology keys of every cube's management CPU (cube.m_cpu).
struct MCpuAttrs {
  double message_latency_ns = 200.0;
  double per_pe_latency_ns = 20.0;
  double dispatch_latency_ns = 200.0;
  double pj_per_message = 2800.0;
  double static_w = 0.1;
  double area_mm2 = 0.5;

  static std::vector<AttrRow<MCpuAttrs>> schema() {
    using A = MCpuAttrs;
    return {
        {"message_latency_ns", "ns", kLatencyNs,
         "management CPU time to handle one control message", &A::message_latency_ns},
        {"per_pe_latency_ns", "ns", kLatencyNs,
         "management CPU time added per PE a message fans out to", &A::per_pe_latency_ns},
        {"dispatch_latency_ns", "ns", kLatencyNs,
         "I/O cube's management CPU time to dispatch one node of a device-resident graph "
         "(launch=graph)",
         &A::dispatch_latency_ns},
        {"pj_per_message", "pJ", kPicojoules, "management CPU energy to handle one control message",
         &A::pj_per_message, AttrEffect::energy},
        {"static_w", "W", kWatts, "static power of one management CPU", &A::static_w,
         AttrEffect::energy},
        {"area_mm2", "mm^2", kSquareMm, "area of one management CPU", &A::area_mm2,
         AttrEffect::energy}};
  }
};

}  // namespace kb::models

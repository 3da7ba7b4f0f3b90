#pragma once
// Without SystemC: the topology embeds it, and its loader builds without the kernel.

#include <cstdint>

namespace kb::models {

// The topology keys of every cube's management CPU (cube.m_cpu).
struct MCpuAttrs {
  double message_latency_ns = 200.0;
  double per_pe_latency_ns = 20.0;
};

}  // namespace kb::models

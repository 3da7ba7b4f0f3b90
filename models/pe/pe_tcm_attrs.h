#pragma once
// Without SystemC: the topology embeds it, and its loader builds without the kernel.

#include <cstdint>

namespace kb::models {

// The topology keys of every PE's TCM (cube.pe_template.components.pe_tcm.attrs); the
// runtime's allocator keeps reserved_mb for the scheduler.
struct PeTcmAttrs {
  double size_mb = 16.0;
  double reserved_mb = 4.0;
  double bw_gbps = 512.0;
  std::int64_t latency_cycles = 4;
};

}  // namespace kb::models

#include "runtime/bound/peaks.h"

#include "runtime/kernel/kernel_context.h"

#include <algorithm>

namespace kb::runtime {

Peaks peaks_of(const platform::Topology& t, std::int64_t pes, DType dtype) {
  const auto& core = t.cube.pe_template.components.pe_core.attrs;
  const auto n = static_cast<double>(pes);
  const double slices =
      std::max(1.0, n * static_cast<double>(t.cube.memory_map.hbm_slices_per_cube) /
                        static_cast<double>(t.pes_per_cube()));
  return {2 * n * static_cast<double>(macs_per_cycle(core, dtype)) * core.freq_ghz,
          std::min(n * t.cube.router.bw_gbps, slices * t.cube.hbm_slice.bw_gbps)};
}

double launch_round_trip_ns(const platform::Topology& t, LaunchMode mode) {
  switch (mode) {
    case LaunchMode::host:
      return 2 * t.system.host_link.latency_ns + t.cube.m_cpu.message_latency_ns;
    case LaunchMode::graph:
      return t.cube.m_cpu.dispatch_latency_ns + t.cube.m_cpu.message_latency_ns;
    case LaunchMode::persistent: return 0;
  }
  return 0;
}

Bound launched(const platform::Topology& t, const Bound& work, LaunchMode mode) {
  Bound launch;
  launch.add("launch", launch_round_trip_ns(t, mode));
  return Bound::serial({launch, work});
}

}  // namespace kb::runtime

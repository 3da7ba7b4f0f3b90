#include "runtime/memory/virtual_allocator.h"

#include <algorithm>

namespace kb::runtime {

std::uint64_t VirtualAllocator::size_for(const platform::Topology& t) {
  // Each figure is bounded by the schema's ranges, so the sum cannot overflow.
  const auto sips = static_cast<std::uint64_t>(t.system.sips.count);
  const auto cubes = sips * static_cast<std::uint64_t>(t.cubes_per_sip());
  const std::uint64_t bytes = cubes * (t.hbm_bytes_per_cube() + t.sram_bytes_per_cube()) +
                              static_cast<std::uint64_t>(t.world_size()) * t.tcm_bytes_per_pe();
  constexpr std::uint64_t kGiB = 1ULL << 30;
  return std::max(kMinSize, (bytes + kGiB - 1) / kGiB * kGiB);
}

}  // namespace kb::runtime

#include "platform/address_map.h"

#include <fmt/format.h>

namespace kb::platform {

namespace {
// MMIO endpoints decode offsets up to the IPCQ credit window's end.
constexpr std::uint64_t kMmioBytes = models::kIpcqCreditOffset + (1ULL << 32);
}  // namespace

std::vector<AddressRange> address_map(const Topology& t) {
  using models::PhysAddr;
  using models::Region;
  std::vector<AddressRange> map;
  auto add = [&](std::string name, std::uint32_t sip, std::uint32_t cube, Region region,
                 std::uint32_t unit, std::uint64_t size) {
    map.push_back({std::move(name), PhysAddr::of(sip, cube, region, unit), size});
  };
  const auto slices = static_cast<std::uint32_t>(t.cube.memory_map.hbm_slices_per_cube);
  const auto pes = static_cast<std::uint32_t>(t.pes_per_cube());
  for (std::uint32_t s = 0; s < t.system.sips.count; ++s) {
    for (std::uint32_t c = 0; c < t.cubes_per_sip(); ++c) {
      const std::string cube = fmt::format("sip{}.cube{}", s, c);
      for (std::uint32_t h = 0; h < slices; ++h) {
        add(fmt::format("{}.hbm{}", cube, h), s, c, Region::hbm, h, t.hbm_bytes_per_slice());
      }
      for (std::uint32_t p = 0; p < pes; ++p) {
        add(fmt::format("{}.pe{}.tcm", cube, p), s, c, Region::tcm, p, t.tcm_bytes_per_pe());
      }
      add(cube + ".sram", s, c, Region::sram, 0, t.sram_bytes_per_cube());
      for (std::uint32_t p = 0; p < pes; ++p) {
        add(fmt::format("{}.pe{}.mmio", cube, p), s, c, Region::mmio, p, kMmioBytes);
      }
      add(cube + ".m_cpu", s, c, Region::mmio, models::kMcpuUnit, kMmioBytes);
    }
  }
  return map;
}

std::string format_address_map(const std::vector<AddressRange>& map) {
  std::string out =
      fmt::format("{:<24} {:>18} {:>18} {:>14}\n", "target", "first", "last", "bytes");
  for (const AddressRange& r : map) {
    const std::uint64_t first = r.base.encode();
    out += fmt::format("{:<24} 0x{:016x} 0x{:016x} {:>14}\n", r.name, first, first + r.size - 1,
                       r.size);
  }
  return out;
}

}  // namespace kb::platform

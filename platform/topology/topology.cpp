#include "platform/topology/topology.h"

#include <cmath>

namespace kb::platform {

namespace {
// The loader guarantees these products are whole numbers of bytes (see validate()).
std::uint64_t bytes_of(double amount, std::uint64_t unit) {
  return static_cast<std::uint64_t>(std::llround(amount * static_cast<double>(unit)));
}
}  // namespace

std::int64_t Topology::pes_per_cube() const {
  return static_cast<std::int64_t>(cube.pe_layout.corners.size()) * cube.pe_layout.pe_per_corner;
}

std::uint64_t Topology::hbm_bytes_per_cube() const {
  return bytes_of(cube.memory_map.hbm_total_gb_per_cube, kGiB);
}

std::uint64_t Topology::hbm_bytes_per_slice() const {
  return hbm_bytes_per_cube() / static_cast<std::uint64_t>(cube.memory_map.hbm_slices_per_cube);
}

std::uint64_t Topology::tcm_bytes_per_pe() const {
  return bytes_of(cube.pe_template.components.pe_tcm.attrs.size_mb, kMiB);
}

std::uint64_t Topology::tcm_reserved_bytes() const {
  return bytes_of(cube.pe_template.components.pe_tcm.attrs.reserved_mb, kMiB);
}

std::uint64_t Topology::sram_bytes_per_cube() const {
  return bytes_of(cube.memory_map.sram_mb, kMiB);
}

std::uint64_t Topology::page_size() const {
  return static_cast<std::uint64_t>(cube.pe_template.components.pe_mmu.attrs.page_size);
}

}  // namespace kb::platform

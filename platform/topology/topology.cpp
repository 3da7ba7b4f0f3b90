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

models::InterSipTopology Topology::inter_sip_topology() const {
  return models::parse_inter_sip_topology(system.inter_sip.topology)
      .value_or(models::InterSipTopology::ring);
}

models::Fabric Topology::fabric() const {
  models::Fabric f;
  f.sips = static_cast<std::uint32_t>(system.sips.count);
  f.mesh_w = static_cast<std::uint32_t>(sip.cube_mesh.w);
  f.mesh_h = static_cast<std::uint32_t>(sip.cube_mesh.h);
  f.io_x = static_cast<std::uint32_t>(sip.io_cube.x);
  f.io_y = static_cast<std::uint32_t>(sip.io_cube.y);
  f.inter_sip = inter_sip_topology();
  f.router = cube.router;
  f.mesh_link = sip.mesh_link;
  f.inter_sip_link = system.inter_sip.link;
  f.host_link = system.host_link;
  f.hbm_slice = cube.hbm_slice;
  f.sram = cube.sram;
  f.tcm_gbps = cube.pe_template.components.pe_tcm.attrs.bw_gbps;
  return f;
}

std::uint64_t Topology::sram_bytes_per_cube() const {
  return bytes_of(cube.memory_map.sram_mb, kMiB);
}

std::uint64_t Topology::page_size() const {
  return static_cast<std::uint64_t>(cube.pe_template.components.pe_mmu.attrs.page_size);
}

}  // namespace kb::platform

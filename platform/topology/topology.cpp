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

std::vector<Topology::System::InterSip::Level> Topology::network_levels() const {
  const auto& net = system.inter_sip;
  if (net.levels.front().size == 0) return {{net.topology, system.sips.count, 1, net.link}};
  std::vector<System::InterSip::Level> out;
  for (const auto& level : net.levels) {
    if (level.size > 0) out.push_back(level);
  }
  return out;
}

std::vector<LinkAttrs> Topology::level_links() const {
  std::vector<LinkAttrs> out;
  for (const auto& level : network_levels()) {
    LinkAttrs link = level.link;
    const auto lanes = static_cast<double>(level.links_per_sip);
    link.bw_gbps *= lanes;
    link.static_w *= lanes;
    link.area_mm2 *= lanes;
    out.push_back(link);
  }
  return out;
}

models::Fabric Topology::fabric() const {
  models::Fabric f;
  f.sips = static_cast<std::uint32_t>(system.sips.count);
  f.mesh_w = static_cast<std::uint32_t>(sip.cube_mesh.w);
  f.mesh_h = static_cast<std::uint32_t>(sip.cube_mesh.h);
  f.io_x = static_cast<std::uint32_t>(sip.io_cube.x);
  f.io_y = static_cast<std::uint32_t>(sip.io_cube.y);
  std::uint32_t stride = 1;
  const std::vector<LinkAttrs> links = level_links();
  const auto levels = network_levels();
  for (std::size_t l = 0; l < levels.size(); ++l) {
    // The schema admits the topologies' spellings only.
    const auto size = static_cast<std::uint32_t>(levels[l].size);
    f.levels.push_back(
        {models::parse_inter_sip_topology(levels[l].topology).value(), size, stride, links[l]});
    stride *= size;
  }
  f.router = cube.router;
  f.mesh_link = sip.mesh_link;
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

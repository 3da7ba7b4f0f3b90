#include "platform/topology/area.h"

namespace kb::platform {

Area machine_area(const Topology& t) {
  const auto& pe = t.cube.pe_template.components;
  const auto pes = static_cast<double>(t.world_size());
  const auto cubes = static_cast<double>(t.system.sips.count * t.cubes_per_sip());
  const auto sips = static_cast<double>(t.system.sips.count);
  const double w = static_cast<double>(t.sip.cube_mesh.w),
               h = static_cast<double>(t.sip.cube_mesh.h);
  const double mesh_links = sips * ((w - 1) * h + w * (h - 1));
  const double mib = 1.0 / static_cast<double>(kMiB);
  // A cube router's ports: its PEs, HBM slices, SRAM and M_CPU, one per mesh link end and
  // the I/O port of each SIP.
  const double router_ports =
      cubes * static_cast<double>(t.pes_per_cube() + t.cube.memory_map.hbm_slices_per_cube + 2) +
      2 * mesh_links + sips;

  Area a;
  a.by_class_mm2["compute"] = pes * (pe.pe_core.attrs.area_mm2_per_mac *
                                         static_cast<double>(pe.pe_core.attrs.macs_per_cycle_f16) +
                                     pe.pe_core.attrs.area_mm2_base);
  a.by_class_mm2["tcm"] =
      pes * static_cast<double>(t.tcm_bytes_per_pe()) * mib * pe.pe_tcm.attrs.area_mm2_per_mb;
  a.by_class_mm2["sram"] =
      cubes * static_cast<double>(t.sram_bytes_per_cube()) * mib * t.cube.sram.area_mm2;
  a.by_class_mm2["hbm"] = cubes * static_cast<double>(t.cube.memory_map.hbm_slices_per_cube) *
                          t.cube.hbm_slice.area_mm2;
  a.by_class_mm2["noc"] =
      router_ports * t.cube.router.area_mm2_per_port + mesh_links * t.sip.mesh_link.area_mm2;
  const std::vector<LinkAttrs> level_links = t.level_links();
  for (const models::SipLink& link : models::sip_links(t.fabric()))
    a.by_class_mm2["inter_sip"] += level_links[link.level].area_mm2;
  a.by_class_mm2["host"] = sips * t.system.host_link.area_mm2;
  a.by_class_mm2["control"] = cubes * t.cube.m_cpu.area_mm2;
  for (const auto& [cls, mm2] : a.by_class_mm2) a.total_mm2 += mm2;
  return a;
}

}  // namespace kb::platform

#include "platform/model_params.h"

namespace kb::platform {

models::MachineParams machine_params(const Topology& t, const RunOptions& options) {
  const auto& pe = t.cube.pe_template.components;
  models::MachineParams m;
  m.sips = static_cast<std::uint32_t>(t.system.sips.count);
  m.mesh_w = static_cast<std::uint32_t>(t.sip.cube_mesh.w);
  m.mesh_h = static_cast<std::uint32_t>(t.sip.cube_mesh.h);
  m.io_x = static_cast<std::uint32_t>(t.sip.io_cube.x);
  m.io_y = static_cast<std::uint32_t>(t.sip.io_cube.y);
  m.pes_per_cube = static_cast<std::uint32_t>(t.pes_per_cube());
  m.hbm_slices = static_cast<std::uint32_t>(t.cube.memory_map.hbm_slices_per_cube);
  m.hbm_slice_bytes = t.hbm_bytes_per_slice();
  m.sram_bytes = t.sram_bytes_per_cube();
  m.quantum_ns = t.system.simulation.quantum_ns;
  m.fabric = t.fabric();

  m.level_links = t.level_links();
  m.host_link = t.system.host_link;
  m.mesh_link = t.sip.mesh_link;
  m.hbm_slice = t.cube.hbm_slice;
  m.sram = t.cube.sram;
  m.router = t.cube.router;
  m.m_cpu = t.cube.m_cpu;
  m.pe = {pe.pe_core.attrs,     pe.pe_tcm.attrs, pe.pe_mmu.attrs,     pe.pe_ipcq.attrs,
          t.tcm_bytes_per_pe(), m.hbm_slices,    options.timing_only, options.fidelity};
  return m;
}

}  // namespace kb::platform

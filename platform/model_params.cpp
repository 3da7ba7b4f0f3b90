#include "platform/model_params.h"

namespace kb::platform {

namespace {
models::LinkParams link(const LinkAttrs& a) { return {a.latency_ns, a.bw_gbps}; }

models::InterSipTopology inter_sip(const std::string& name) {
  if (name == "fully_connected") return models::InterSipTopology::fully_connected;
  if (name == "switch") return models::InterSipTopology::switched;
  return models::InterSipTopology::ring;  // the schema admits no other value
}
}  // namespace

models::MachineParams machine_params(const Topology& t, const RunOptions& options) {
  const auto& core = t.cube.pe_template.components.pe_core.attrs;
  const auto& tcm = t.cube.pe_template.components.pe_tcm.attrs;
  const auto& mmu = t.cube.pe_template.components.pe_mmu.attrs;
  const auto& ipcq = t.cube.pe_template.components.pe_ipcq.attrs;

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
  m.timing_only = options.timing_only;

  m.inter_sip = inter_sip(t.system.inter_sip.topology);
  m.inter_sip_link = link(t.system.inter_sip.link);
  m.host_link = link(t.system.host_link);
  m.mesh_link = link(t.sip.mesh_link);

  m.hbm_slice.latency_ns = t.cube.hbm_slice.latency_ns;
  m.hbm_slice.bw_gbps = t.cube.hbm_slice.bw_gbps;
  m.sram.latency_ns = t.cube.sram.latency_ns;
  m.sram.bw_gbps = t.cube.sram.bw_gbps;
  m.router_freq_ghz = t.cube.router.freq_ghz;
  m.router_hop_cycles = static_cast<std::uint64_t>(t.cube.router.hop_latency_cycles);
  m.router_port_bw_gbps = t.cube.router.bw_gbps;
  m.mcpu_message_latency_ns = t.cube.m_cpu.message_latency_ns;
  m.mcpu_per_pe_latency_ns = t.cube.m_cpu.per_pe_latency_ns;

  m.pe.core.freq_ghz = core.freq_ghz;
  m.pe.core.timing_only = options.timing_only;
  m.pe.mmu.freq_ghz = core.freq_ghz;
  m.pe.mmu.hbm_slices = m.hbm_slices;
  m.pe.mmu.page_size = t.page_size();
  m.pe.mmu.tlb_entries = static_cast<std::uint64_t>(mmu.tlb_entries);
  m.pe.mmu.tlb_hit_cycles = static_cast<std::uint64_t>(mmu.tlb_hit_cycles);
  m.pe.mmu.walk_cycles = static_cast<std::uint64_t>(mmu.walk_cycles);
  m.pe.ipcq.depth = static_cast<std::uint64_t>(ipcq.depth);
  m.pe.ipcq.entry_bytes = static_cast<std::uint64_t>(ipcq.entry_bytes);
  m.pe.tcm.size = t.tcm_bytes_per_pe();
  m.pe.tcm.bw_gbps = tcm.bw_gbps;
  m.pe.tcm.freq_ghz = core.freq_ghz;
  m.pe.tcm.latency_cycles = static_cast<std::uint64_t>(tcm.latency_cycles);
  return m;
}

}  // namespace kb::platform

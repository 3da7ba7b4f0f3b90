#include "models/pe/pe.h"

#include "models/common/overloaded.h"

namespace kb::models {

namespace {

MemoryGeometry tcm_geometry(const PeParams& p, const PeLocation& at) {
  const auto latency_cycles = static_cast<std::uint64_t>(p.tcm.latency_cycles);
  const double mib = static_cast<double>(p.tcm_bytes) / static_cast<double>(1 << 20);
  return {PhysAddr::of(at.sip, at.cube, Region::tcm, at.pe).encode(),
          p.tcm_bytes,
          p.tcm.bw_gbps,
          cycles_to_ps(latency_cycles, p.core.freq_ghz),
          EnergyClass::tcm,
          p.tcm.read_pj_per_byte,
          p.tcm.write_pj_per_byte,
          p.tcm.static_w_per_mb * mib};
}

}  // namespace

Pe::Pe(const sc_core::sc_module_name& name, const PeParams& params, const PeLocation& location)
    : Component(name, params.core.freq_ghz),
      noc_in("noc_in", *this, &Pe::b_transport, &Pe::transport_dbg),
      ipcq("ipcq", params.ipcq, params.fidelity),
      core("core", params.core, params.timing_only, params.fidelity, location, ipcq),
      mmu("mmu", params.mmu, location, params.core.freq_ghz, params.hbm_slices),
      tcm("tcm", tcm_geometry(params, location)),
      to_tcm_("to_tcm") {
  core.out.bind(mmu.in);
  ipcq.out.bind(mmu.in);
  mmu.local.bind(tcm.target);
  to_tcm_.bind(tcm.target);
}

void Pe::b_transport(int, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  const PhysAddr a = PhysAddr::decode(p.get_address());
  if (a.region == Region::tcm) {
    to_tcm_.transport(0, p, delay);
  } else if (a.region != Region::mmio) {
    p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
  } else if (a.offset >= kIpcqDataOffset) {
    ipcq.receive(a.offset, p, delay);
  } else if (const ControlMessage* message = control_of(p)) {
    control(*message, p);
  } else {
    p.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
  }
}

unsigned Pe::transport_dbg(int, tlm::tlm_generic_payload& p) {
  if (PhysAddr::decode(p.get_address()).region != Region::tcm) return 0;
  return to_tcm_.transport_dbg(0, p);
}

void Pe::control(const ControlMessage& message, tlm::tlm_generic_payload& p) {
  const PeLocation& at = location();
  std::visit(Overloaded{
                 [&](const MmuMap& m) { mmu.map(m.entries); },
                 [&](const MmuUnmap& m) { mmu.unmap(m.entries); },
                 [&](const IpcqInit& m) {
                   for (const IpcqRankEntry& entry : m.ranks) {
                     if (entry.pe == at.pe) ipcq.init(entry);
                   }
                 },
                 [&](const KernelLaunch& m) {
                   core.launch(message.request_id, m.kernel, m.program,
                               m.report_to != 0
                                   ? m.report_to
                                   : PhysAddr::mmio(at.sip, at.cube, kMcpuUnit).encode());
                 },
                 [&](const auto&) { fail("a PE does not take {} messages", message.kind()); },
             },
             message.body);
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace kb::models

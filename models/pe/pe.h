#pragma once
// A processing element: core, MMU, TCM and IPCQ, with one port on the cube's NoC.
//
//   core ──> MMU ──> own TCM                      (local accesses skip the NoC)
//   IPCQ ──┘     └─> NoC (cube router)            (everything else)
//   NoC ──> PE endpoint: TCM region -> TCM (remote access)
//                        MMIO region -> control messages / IPCQ entries and credits

#include "models/common/fidelity.h"
#include "models/memory/memory.h"
#include "models/pe/pe_core.h"
#include "models/pe/pe_ipcq.h"
#include "models/pe/pe_mmu.h"
#include "models/pe/pe_tcm_attrs.h"

namespace kb::models {

// A PE: its parts' attributes as the topology holds them, and what comes from other keys.
struct PeParams {
  PeCoreAttrs core;
  PeTcmAttrs tcm;
  PeMmuAttrs mmu;
  PeIpcqAttrs ipcq;
  std::uint64_t tcm_bytes = 0;   // tcm.size_mb in bytes
  std::uint32_t hbm_slices = 1;  // of its cube
  bool timing_only = false;
  Fidelity fidelity = Fidelity::transaction;
};

class Pe : public Component {
 public:
  Pe(const sc_core::sc_module_name& name, const PeParams& params, const PeLocation& location);

  TargetPort<Pe> noc_in;                           // from the cube router
  InitiatorPort& noc_out() { return mmu.fabric; }  // to the cube router

  PeIpcq ipcq;
  PeCore core;
  PeMmu mmu;
  Memory tcm;

  const PeLocation& location() const { return core.location(); }

 private:
  void b_transport(int, tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  // The TCM region reads and writes the TCM; control endpoints have no contents.
  unsigned transport_dbg(int, tlm::tlm_generic_payload& p);
  void control(const ControlMessage& message, tlm::tlm_generic_payload& p);

  InitiatorPort to_tcm_;
};

}  // namespace kb::models

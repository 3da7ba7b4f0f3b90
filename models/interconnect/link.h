#pragma once
// A full-duplex point-to-point link between sides A and B (mesh link, inter-SIP link, host
// link): one resource per direction, a latency each way.

#include "models/common/component.h"
#include "models/common/initiator_port.h"
#include "models/common/port_attrs.h"
#include "models/common/target_port.h"

namespace kb::models {

class Link : public Component {
 public:
  // Its bytes and leakage are charged to `cls` (noc, inter_sip or host).
  Link(const sc_core::sc_module_name& name, const LinkAttrs& attrs, EnergyClass cls);

  TargetPort<Link> a_in;  // from side A, out at b_out
  TargetPort<Link> b_in;  // from side B, out at a_out
  InitiatorPort a_out;
  InitiatorPort b_out;

 private:
  void from_a(int, tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  void from_b(int, tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  void carry(Resource& forward, Resource& backward, InitiatorPort& out, tlm::tlm_generic_payload& p,
             sc_core::sc_time& delay);
  unsigned debug_from_a(int, tlm::tlm_generic_payload& p) { return b_out.transport_dbg(0, p); }
  unsigned debug_from_b(int, tlm::tlm_generic_payload& p) { return a_out.transport_dbg(0, p); }

  Picoseconds latency_;
  Resource& a_to_b_;
  Resource& b_to_a_;
};

}  // namespace kb::models

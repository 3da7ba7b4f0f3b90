#include "models/interconnect/link.h"

#include "models/interconnect/hop.h"

namespace kb::models {

Link::Link(const sc_core::sc_module_name& name, const PortAttrs& attrs)
    : Component(name),
      a_in("a_in"),
      b_in("b_in"),
      a_out("a_out"),
      b_out("b_out"),
      latency_(ns_to_ps(attrs.latency_ns)),
      a_to_b_(add_resource("a_to_b", attrs.bw_gbps)),
      b_to_a_(add_resource("b_to_a", attrs.bw_gbps)) {
  a_in.register_b_transport(this, &Link::from_a);
  b_in.register_b_transport(this, &Link::from_b);
  a_in.register_get_direct_mem_ptr(this, &Link::dmi_from_a);
  b_in.register_get_direct_mem_ptr(this, &Link::dmi_from_b);
}

void Link::carry(Resource& forward, Resource& backward, InitiatorPort& out,
                 tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  request_hop(&forward, latency_, p, delay);
  out.transport(0, p, delay);
  response_hop(&backward, latency_, p, delay);
}

void Link::from_a(int, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  carry(a_to_b_, b_to_a_, b_out, p, delay);
}

void Link::from_b(int, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  carry(b_to_a_, a_to_b_, a_out, p, delay);
}

namespace {
// A DMI access skips the link, so it keeps the link's round trip in its latency.
bool add_round_trip(bool granted, Picoseconds latency, tlm::tlm_dmi& dmi) {
  if (granted) {
    dmi.set_read_latency(dmi.get_read_latency() + from_ps(2 * latency));
    dmi.set_write_latency(dmi.get_write_latency() + from_ps(2 * latency));
  }
  return granted;
}
}  // namespace

bool Link::dmi_from_a(int, tlm::tlm_generic_payload& p, tlm::tlm_dmi& dmi) {
  return add_round_trip(b_out.get_direct_mem_ptr(0, p, dmi), latency_, dmi);
}

bool Link::dmi_from_b(int, tlm::tlm_generic_payload& p, tlm::tlm_dmi& dmi) {
  return add_round_trip(a_out.get_direct_mem_ptr(0, p, dmi), latency_, dmi);
}

}  // namespace kb::models

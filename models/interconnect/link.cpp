#include "models/interconnect/link.h"

#include "models/interconnect/hop.h"

namespace kb::models {

Link::Link(const sc_core::sc_module_name& name, const LinkAttrs& attrs, EnergyClass cls)
    : Component(name),
      a_in("a_in", *this, &Link::from_a, &Link::debug_from_a),
      b_in("b_in", *this, &Link::from_b, &Link::debug_from_b),
      a_out("a_out"),
      b_out("b_out"),
      latency_(ns_to_ps(attrs.latency_ns)),
      a_to_b_(add_resource("a_to_b", attrs.bw_gbps)),
      b_to_a_(add_resource("b_to_a", attrs.bw_gbps)) {
  EnergyAccount& energy = add_energy(cls, attrs.static_w);
  a_to_b_.meter(&energy, attrs.pj_per_byte);
  b_to_a_.meter(&energy, attrs.pj_per_byte);
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

}  // namespace kb::models

#include "models/interconnect/router.h"

#include "models/interconnect/hop.h"

namespace kb::models {

Router::Router(const sc_core::sc_module_name& name, double freq_ghz,
               std::uint64_t hop_latency_cycles)
    : Component(name, freq_ghz),
      in("in", *this, &Router::b_transport, &Router::transport_dbg),
      out("out"),
      hop_latency_(cycles(hop_latency_cycles)) {}

unsigned Router::add_port(const std::string& role, double bw_gbps) {
  Port port;
  port.role = role;
  if (bw_gbps > 0.0) {
    port.inbound = &add_resource(role + ".in", bw_gbps);
    port.outbound = &add_resource(role + ".out", bw_gbps);
  }
  ports_.push_back(std::move(port));
  return static_cast<unsigned>(ports_.size() - 1);
}

const Router::Port* Router::egress(tlm::tlm_generic_payload& p) const {
  const auto port = route(PhysAddr::decode(p.get_address()));
  if (!port || ports_[*port].out_binding < 0) return nullptr;
  return &ports_[*port];
}

void Router::b_transport(int binding, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  const Port* to = egress(p);
  if (to == nullptr) {
    p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const Port& from = ports_[in_binding_port_.at(static_cast<std::size_t>(binding))];
  const std::uint64_t bytes = p.get_data_length();
  const std::uint64_t written = p.is_write() ? bytes : 0, read = p.is_read() ? bytes : 0;
  TransferExtension& t = transfer_of(p);  // looked up once for both directions
  {
    HopChain request(t, delay);
    request.pass(from.inbound, 0, written);
    request.pass(to->outbound, hop_latency_, written);
    request.store(delay);
    if (p.is_write()) charge(request.transfer(), written, request.head());
  }
  out.transport(static_cast<unsigned>(to->out_binding), p, delay);
  HopChain response(t, delay);
  response.pass(to->inbound, 0, read);
  response.pass(from.outbound, hop_latency_, read);
  response.store(delay);
  if (p.is_read()) charge(response.transfer(), read, response.head());
}

void Router::charge(const TransferExtension& t, std::uint64_t bytes, Picoseconds at) {
  // Credits travel on their own virtual channel, booked nowhere: they carry no data.
  if (energy_ == nullptr || t.sideband) return;
  energy_->charge(static_cast<double>(bytes) * pj_per_byte_, at, at);
}

unsigned Router::transport_dbg(int, tlm::tlm_generic_payload& p) {
  const Port* to = egress(p);
  return to == nullptr ? 0 : out.transport_dbg(static_cast<unsigned>(to->out_binding), p);
}

}  // namespace kb::models

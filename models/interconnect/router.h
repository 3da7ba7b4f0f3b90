#pragma once
// The common machinery of everything that routes on physical-address fields: the cube
// router, the SIP I/O port and the inter-SIP switch. A router has numbered physical ports;
// each may carry traffic in (an initiator bound to `in`) and out (bound from `out`) and
// may have a bandwidth, one resource per direction. Subclasses only say which port an
// address leaves by.

#include "models/common/component.h"
#include "models/common/initiator_port.h"
#include "models/common/target_port.h"
#include "models/protocol/phys_addr.h"
#include "models/protocol/transaction.h"

#include <optional>
#include <vector>

namespace kb::models {

class Router : public Component {
 public:
  Router(const sc_core::sc_module_name& name, double freq_ghz, std::uint64_t hop_latency_cycles);

  TargetPort<Router> in;
  InitiatorPort out;

  // A physical port; bw_gbps 0 means the port itself never limits (its link does).
  unsigned add_port(const std::string& role, double bw_gbps);
  // Binds `target` as where port `port` leaves to.
  template <class Target>
  void bind_out(unsigned port, Target& target) {
    ports_.at(port).out_binding = static_cast<int>(out.size());
    out.bind(target);
  }
  // Binds `initiator` as what enters by port `port`.
  template <class Initiator>
  void bind_in(unsigned port, Initiator& initiator) {
    in_binding_port_.push_back(port);
    initiator.bind(in);
  }

  // Binds port `port` of this router to port `other_port` of `other`, one way: what
  // leaves here by `port` enters `other` by `other_port`.
  void bind_out_to(unsigned port, Router& other, unsigned other_port) {
    other.in_binding_port_.push_back(other_port);
    bind_out(port, other.in.socket);
  }

  // Charges every byte through this router `pj_per_byte` (noc), with `static_w` of leakage.
  void meter(double pj_per_byte, double static_w) {
    energy_ = &add_energy(EnergyClass::noc, static_w);
    pj_per_byte_ = pj_per_byte;
  }

  const std::string& port_role(unsigned port) const { return ports_.at(port).role; }
  // The port an address leaves by, or nullopt when it has no route here.
  virtual std::optional<unsigned> route(const PhysAddr& address) const = 0;

 private:
  struct Port {
    std::string role;
    Resource* inbound = nullptr;   // device -> router
    Resource* outbound = nullptr;  // router -> device
    int out_binding = -1;
  };

  void b_transport(int binding, tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  unsigned transport_dbg(int binding, tlm::tlm_generic_payload& p);
  const Port* egress(tlm::tlm_generic_payload& p) const;

  // Charges `bytes` of a transfer passing through at `at`.
  void charge(const TransferExtension& t, std::uint64_t bytes, Picoseconds at);

  Picoseconds hop_latency_;
  EnergyAccount* energy_ = nullptr;
  double pj_per_byte_ = 0.0;
  std::vector<Port> ports_;
  std::vector<unsigned> in_binding_port_;
};

}  // namespace kb::models

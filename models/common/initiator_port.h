#pragma once
// The one initiator socket wrapper of the project: every transaction leaves a component
// through InitiatorPort::transport(), which applies the TLM-2.0 base-protocol checks the
// model relies on (when KB_PROTOCOL_CHECKS is on, as in every test build). Bound to one of
// the project's TargetPorts, it calls that port directly once a probe through the socket has
// told it which port and binding the socket reaches; other bindings go through the socket.

#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <systemc>
#include <tlm>

#include <vector>

namespace kb::models {

template <class Owner>
class TargetPort;

// A target port's answer to an InitiatorPort's probe (a debug transport carrying this
// extension): the port, its b_transport, and the binding its socket's callback passes for
// this initiator, so that the initiator calls it directly from then on.
struct DirectTarget : tlm::tlm_extension<DirectTarget> {
  using Call = void (*)(void* port, int binding, tlm::tlm_generic_payload&, sc_core::sc_time&);
  void* port = nullptr;
  Call call = nullptr;
  int binding = -1;
  tlm::tlm_extension_base* clone() const override { return new DirectTarget(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const DirectTarget&>(other);
  }
};

class InitiatorPort {
 public:
  explicit InitiatorPort(const char* name) : socket(name), name_(socket.name()) {}

  // Blocking transport on binding `index` (0 for a port bound once).
  void transport(unsigned index, tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
  // Debug access on binding `index`: no time, no resource, no model state changes.
  unsigned transport_dbg(unsigned index, tlm::tlm_generic_payload& payload);
  // Bindings made so far: the index the next bind() gets.
  unsigned size() const { return bound_; }

  template <class Target>
  void bind(Target& target) {
    socket.bind(target);
    ++bound_;
  }
  template <class Owner>
  void bind(TargetPort<Owner>& target) {
    bind(target.socket);
    direct_.resize(bound_);
    direct_.back().ours = true;
  }

  tlm_utils::multi_passthrough_initiator_socket<InitiatorPort> socket;

 private:
  // Per binding to one of the project's target ports: that port, called directly instead of
  // through the socket's binder, its callback functor and member pointer (the binder's
  // virtual call led a cycle profile of 64 SIPs); found by a probe at the first transport.
  struct Direct {
    bool ours = false;  // bound to a TargetPort
    bool probed = false;
    DirectTarget target;  // call null: the probe found none
  };
  void probe(Direct& d, unsigned index);
  void forward(unsigned index, tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);

  unsigned bound_ = 0;
  std::vector<Direct> direct_;
  // The socket's full name, for protocol violations: read once, not at every transport
  // (sc_object::name() is a call into the library).
  const char* name_;
};

// Transactions issued through any InitiatorPort so far (simulation speed figures).
std::uint64_t transaction_count();

// The base-protocol rules checked around a b_transport call; throw std::logic_error
// naming the socket and the rule. Exposed for the protocol tests.
struct ProtocolChecker {
  static void before(const char* socket, const tlm::tlm_generic_payload& p);
  static void after(const char* socket, const tlm::tlm_generic_payload& p,
                    const sc_core::sc_time& delay_before, const sc_core::sc_time& delay_after,
                    std::uint64_t address, unsigned char* data, unsigned length);
};

}  // namespace kb::models

#pragma once
// The one initiator socket wrapper of the project: every transaction leaves a component
// through InitiatorPort::transport(), which applies the TLM-2.0 base-protocol checks the
// model relies on (when KB_PROTOCOL_CHECKS is on, as in every test build).

#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <systemc>
#include <tlm>

namespace kb::models {

template <class Owner>
class TargetPort;

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
  }

  tlm_utils::multi_passthrough_initiator_socket<InitiatorPort> socket;

 private:
  unsigned bound_ = 0;
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

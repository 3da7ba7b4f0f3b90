#pragma once
// The one target socket wrapper of the project, the counterpart of InitiatorPort: every
// transaction enters a component through a TargetPort, which
//   - applies the TLM-2.0 base-protocol checks on the target side (with
//     KB_PROTOCOL_CHECKS) to a payload from an initiator of another TLM library (one
//     without the project's TransferExtension), so it is held to them too; the project's
//     own InitiatorPort checks around the same call;
//   - gives a plain generic payload (no TransferExtension: another library's initiator, a
//     debugger) a default one for the call, so every model can rely on it;
//   - routes transport_dbg: a debug access reads or writes the target's contents without
//     advancing time, touching a resource or changing any model state;
//   - answers an InitiatorPort's probe (a debug transport with a DirectTarget) with itself,
//     so that the project's own initiators call it without the socket's binder.

#include "models/common/initiator_port.h"
#include "models/protocol/transaction.h"

#include <tlm_utils/multi_passthrough_target_socket.h>
#include <systemc>
#include <tlm>

namespace kb::models {

// One call through a TargetPort from another library's initiator (a payload without the
// project's TransferExtension): attaches a default extension for the call and checks the
// protocol before (constructor) and after (finish) the owner's handler. The project's own
// initiators check around the same call themselves (InitiatorPort::transport), so their
// payloads go straight to the owner.
class ForeignCall {
 public:
  ForeignCall(const char* socket, tlm::tlm_generic_payload& payload, const sc_core::sc_time* delay);
  ~ForeignCall();
  ForeignCall(const ForeignCall&) = delete;
  ForeignCall& operator=(const ForeignCall&) = delete;
  void finish(const sc_core::sc_time& delay) const;

 private:
  const char* socket_;
  tlm::tlm_generic_payload& payload_;
  TransferExtension fallback_;
  sc_core::sc_time delay_before_;
  std::uint64_t address_;
  unsigned char* data_;
  unsigned length_;
};

template <class Owner>
class TargetPort {
 public:
  using Transport = void (Owner::*)(int binding, tlm::tlm_generic_payload&, sc_core::sc_time&);
  // Returns the bytes read or written.
  using Debug = unsigned (Owner::*)(int binding, tlm::tlm_generic_payload&);

  // `debug` nullptr: a control endpoint with no contents to show (debug accesses get 0).
  TargetPort(const char* name, Owner& owner, Transport transport, Debug debug)
      : socket(name), owner_(owner), transport_(transport), debug_(debug) {
    socket.register_b_transport(this, &TargetPort::b_transport);
    socket.register_transport_dbg(this, &TargetPort::transport_dbg);
  }

  tlm_utils::multi_passthrough_target_socket<TargetPort> socket;

 private:
  void b_transport(int binding, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
    if (p.get_extension<TransferExtension>() != nullptr) {
      (owner_.*transport_)(binding, p, delay);
      return;
    }
    ForeignCall call(socket.name(), p, &delay);
    (owner_.*transport_)(binding, p, delay);
    call.finish(delay);
  }
  unsigned transport_dbg(int binding, tlm::tlm_generic_payload& p) {
    if (auto* probe = p.get_extension<DirectTarget>()) {  // an InitiatorPort asks (its direct_)
      probe->port = this;
      probe->call = &TargetPort::call;
      probe->binding = binding;
      return 0;
    }
    if (debug_ == nullptr) return 0;
    if (p.get_extension<TransferExtension>() != nullptr) return (owner_.*debug_)(binding, p);
    ForeignCall call(socket.name(), p, nullptr);
    return (owner_.*debug_)(binding, p);
  }

  static void call(void* port, int binding, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
    static_cast<TargetPort*>(port)->b_transport(binding, p, delay);
  }

  Owner& owner_;
  Transport transport_;
  Debug debug_;
};

}  // namespace kb::models

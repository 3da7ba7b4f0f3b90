#pragma once
// The management CPU of a cube. It takes control messages from the host and completions
// from its PEs, one at a time in arrival order, like the single CPU it is:
//   - a host request costs message_latency + per_pe_latency x (target PEs), then:
//     MmuMap / MmuUnmap / IpcqInit: forwarded to every target PE, then completed;
//     KernelLaunch: forwarded to every target PE, completed when all report PeDone;
//     MemoryWrite / MemoryRead: performed by the M_CPU itself through the NoC;
//   - a PeDone costs per_pe_latency.
// A completion (with per-PE timing) goes back to the request's reply_to address.
// The I/O cube's M_CPU also holds its SIP's graph dispatcher (graph_dispatch.h), which takes
// the messages addressed to it at kMcpuDispatchOffset; a GraphLoad is acknowledged there.

#include "models/common/component.h"
#include "models/common/initiator_port.h"
#include "models/common/target_port.h"
#include "models/cube/graph_dispatch.h"
#include "models/cube/m_cpu_attrs.h"
#include "models/protocol/messages.h"
#include "models/protocol/transaction.h"

#include <map>
#include <queue>

namespace kb::models {

class MCpu : public Component {
 public:
  // The M_CPU of cube `cube` of SIP `sip`; with `timing_only`, memory writes carry no data;
  // with `dispatches`, it holds the SIP's graph dispatcher.
  MCpu(const sc_core::sc_module_name& name, const MCpuAttrs& attrs, std::uint32_t sip,
       std::uint32_t cube, bool timing_only, bool dispatches);
  SC_HAS_PROCESS(MCpu);

  TargetPort<MCpu> in;  // control messages; no contents to debug
  InitiatorPort out;

  // The SIP's graph dispatcher; throws std::logic_error on an M_CPU without one.
  GraphDispatch& dispatcher();

 private:
  struct Inbound {
    Picoseconds arrival;
    std::uint64_t sequence;  // keeps arrival ties in delivery order
    std::shared_ptr<const ControlMessage> message;
    bool operator>(const Inbound& o) const {
      return arrival != o.arrival ? arrival > o.arrival : sequence > o.sequence;
    }
  };
  struct Pending {
    std::shared_ptr<const ControlMessage> request;
    Completion completion;
    std::size_t remaining;
  };

  void b_transport(int, tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  void main();
  void handle(const std::shared_ptr<const ControlMessage>& message, Picoseconds arrival);
  void handle_pe_done(const PeDone& done);
  void fan_out(const std::shared_ptr<const ControlMessage>& message);
  void transfer_memory(const ControlMessage& message, Completion& completion);
  void complete(const ControlMessage& request, Completion completion);
  // Issues a transaction at the current time and waits until it is done.
  void issue(tlm::tlm_generic_payload& p, const char* what);

  const std::uint32_t sip_;
  const std::uint32_t cube_;
  const bool timing_only_;
  Picoseconds message_latency_;
  Picoseconds per_pe_latency_;
  double pj_per_message_;
  EnergyAccount& energy_;
  std::priority_queue<Inbound, std::vector<Inbound>, std::greater<>> inbox_;
  std::uint64_t sequence_ = 0;
  // A message was delivered (named, as PeIpcq::Arrivals says why).
  sc_core::sc_event delivered_{"delivered"};
  QueueStats& inbox_stats_;
  TracedValue& inbox_depth_;                  // VCD: messages arrived and not yet taken
  std::map<std::uint64_t, Pending> pending_;  // KernelLaunch requests awaiting PEs
  Transaction txn_;
  std::vector<unsigned char> zeros_;
  std::unique_ptr<GraphDispatch> dispatcher_;
};

}  // namespace kb::models

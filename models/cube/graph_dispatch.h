#pragma once
// A SIP's graph dispatcher, beside its I/O cube's management CPU (docs/workloads.md, launch
// modes). The host hands the step's graph to the device once; then the dispatcher, not the
// host, issues each node's kernel launches as the node's dependencies end:
//   - graph: to the target cubes' M_CPUs, which run them as a host's launch and report
//     their completions back here over the NoC; each dispatch takes `latency` of the
//     dispatcher's time, one node after another;
//   - persistent: the kernels are resident on the PEs, so the launch goes straight to the
//     target PEs and each reports its end here, a barrier counter in hardware: neither the
//     host, the dispatcher's CPU nor the target M_CPUs spend time on it.
// Requests are numbered from a range of the SIP's own, far above the host's.

#include "models/common/initiator_port.h"
#include "models/protocol/request_table.h"
#include "models/protocol/transaction.h"

#include <map>

namespace kb::models {

enum class Residency { graph, persistent };

class GraphDispatch {
 public:
  // The dispatcher of the M_CPU of cube `cube` of SIP `sip`, sending through `out`.
  GraphDispatch(InitiatorPort& out, std::uint32_t sip, std::uint32_t cube, Picoseconds latency);

  // Where completions and PE reports for the dispatcher go (an encoded PhysAddr).
  std::uint64_t address() const { return address_; }
  // Sends the kernel launch `message` to `targets` (cubes of this SIP); call from an
  // SC_THREAD, which waits for the dispatcher's time, not for the request.
  std::shared_ptr<IssuedRequest> dispatch(std::shared_ptr<ControlMessage> message,
                                          std::vector<CubeTarget> targets, Residency residency);
  // A completion (graph) or a PE's end (persistent) addressed to the dispatcher, arriving at
  // `arrival`.
  void take(const ControlMessage& message, Picoseconds arrival);

 private:
  struct Reports {  // a persistent launch's PEs of one cube, until all have reported
    Completion completion;
    std::size_t remaining = 0;
  };
  // A posted write of `message` to `to`.
  void send(std::uint64_t to, const std::shared_ptr<const ControlMessage>& message);

  InitiatorPort& out_;
  std::uint32_t sip_;
  std::uint64_t address_;
  Picoseconds latency_;
  Picoseconds free_at_ = 0;
  RequestTable requests_;
  std::map<std::pair<std::uint64_t, std::uint32_t>, Reports> reports_;  // by (request, cube)
  Transaction txn_;
};

}  // namespace kb::models

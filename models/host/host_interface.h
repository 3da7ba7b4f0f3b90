#pragma once
// The host's end of the host links: it sends control messages to the M_CPUs of target
// cubes and collects their completions. Host programs (SC_THREADs) submit a message to a
// set of (sip, cube) targets and later wait for the request; waiting is an SC wait on the
// completion's arrival, so simulated time stays consistent.

#include "models/common/component.h"
#include "models/common/initiator_port.h"
#include "models/common/target_port.h"
#include "models/protocol/messages.h"
#include "models/protocol/transaction.h"

#include <map>

namespace kb::models {

struct CubeTarget {
  std::uint32_t sip = 0;
  std::uint32_t cube = 0;
};

// A request outlives its use (a program's list of handles keeps every one), so it keeps
// metadata only once its payloads are consumed: a MemoryWrite's bytes go when the request
// completes (they are in the machine's memory then), a MemoryRead's when taken.
class HostRequest {
 public:
  std::uint64_t id() const { return id_; }
  const ControlMessage& message() const { return *message_; }
  const std::vector<CubeTarget>& targets() const { return targets_; }
  // Completions received so far, one per target cube, in arrival order.
  const std::vector<Completion>& completions() const { return completions_; }
  // Hands over completion `i`'s read bytes (null in timing-only runs, or once taken).
  std::shared_ptr<const std::vector<unsigned char>> take_data(std::size_t i);
  Picoseconds submitted_ps() const { return submitted_ps_; }
  // When the last completion arrives (valid once all have been delivered).
  Picoseconds done_ps() const { return done_ps_; }
  // True once every completion has arrived by the current simulated time.
  bool is_completed() const;

 private:
  friend class HostInterface;
  std::uint64_t id_ = 0;
  std::shared_ptr<const ControlMessage> message_;
  std::vector<CubeTarget> targets_;
  std::vector<Completion> completions_;
  Picoseconds submitted_ps_ = 0;
  Picoseconds done_ps_ = 0;
  bool all_delivered_ = false;
  sc_core::sc_event delivered_;
};

class HostInterface : public Component {
 public:
  HostInterface(const sc_core::sc_module_name& name, std::uint32_t sips);

  InitiatorPort out;             // binding s: the host link of SIP s
  TargetPort<HostInterface> in;  // completions and read data; no contents to debug

  // Sends `message` to the M_CPU of every target cube at the current time (posted).
  // Call from a host SC_THREAD. The message's request_id and reply_to are filled in.
  std::shared_ptr<HostRequest> submit(std::shared_ptr<ControlMessage> message,
                                      std::vector<CubeTarget> targets);
  // Waits until every completion of `request` has arrived.
  void wait(HostRequest& request);

 private:
  void b_transport(int, tlm::tlm_generic_payload& p, sc_core::sc_time& delay);

  std::uint32_t sips_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, std::shared_ptr<HostRequest>> outstanding_;
  Transaction txn_;
};

}  // namespace kb::models

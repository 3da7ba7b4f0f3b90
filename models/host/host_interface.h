#pragma once
// The host's end of the host links: it sends control messages to the M_CPUs of target
// cubes and collects their completions. Host programs (SC_THREADs) submit a message to a
// set of (sip, cube) targets and later wait for the request (request_table.h); waiting is an SC
// wait on the completion's arrival, so simulated time stays consistent.

#include "models/common/component.h"
#include "models/common/initiator_port.h"
#include "models/common/target_port.h"
#include "models/protocol/messages.h"
#include "models/protocol/request_table.h"
#include "models/protocol/transaction.h"

namespace kb::models {

class HostInterface : public Component {
 public:
  HostInterface(const sc_core::sc_module_name& name, std::uint32_t sips);

  InitiatorPort out;             // binding s: the host link of SIP s
  TargetPort<HostInterface> in;  // completions and read data; no contents to debug

  // Sends `message` to the M_CPU of every target cube at the current time (posted).
  // Call from a host SC_THREAD. The message's request_id and reply_to are filled in.
  std::shared_ptr<IssuedRequest> submit(std::shared_ptr<ControlMessage> message,
                                        std::vector<CubeTarget> targets);

 private:
  void b_transport(int, tlm::tlm_generic_payload& p, sc_core::sc_time& delay);

  std::uint32_t sips_;
  RequestTable requests_{1};  // the dispatchers' ids start far above (graph_dispatch.h)
  Transaction txn_;
};

}  // namespace kb::models

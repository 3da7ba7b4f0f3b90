#include "models/host/host_interface.h"

#include "models/protocol/phys_addr.h"

namespace kb::models {

HostInterface::HostInterface(const sc_core::sc_module_name& name, std::uint32_t sips)
    : Component(name),
      out("out"),
      in("in", *this, &HostInterface::b_transport, nullptr),
      sips_(sips) {}

std::shared_ptr<IssuedRequest> HostInterface::submit(std::shared_ptr<ControlMessage> message,
                                                     std::vector<CubeTarget> targets) {
  if (targets.empty()) fail("request '{}' has no target cube", message->label);
  for (const CubeTarget& t : targets) {
    if (t.sip >= sips_) fail("request '{}' targets SIP {} of {}", message->label, t.sip, sips_);
  }
  const std::shared_ptr<const ControlMessage> sent = message;
  auto request = requests_.open(std::move(message), std::move(targets), PhysAddr::host().encode());
  for (const CubeTarget& t : request->targets()) {
    tlm::tlm_generic_payload& p =
        txn_.control(PhysAddr::mmio(t.sip, t.cube, kMcpuUnit).encode(), sent);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    out.transport(t.sip, p, delay);
    if (p.get_response_status() != tlm::TLM_OK_RESPONSE) {
      fail("request '{}' to sip{}.cube{} failed: {}", request->message().label, t.sip, t.cube,
           p.get_response_string());
    }
  }
  return request;
}

void HostInterface::b_transport(int, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  const ControlMessage* message = control_of(p);
  const auto* completion = message ? std::get_if<Completion>(&message->body) : nullptr;
  if (completion == nullptr) {
    p.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  const Picoseconds arrival = now_ps() + to_ps(delay) + transfer_of(p).tail_ps;
  if (!requests_.deliver(*completion, arrival)) {
    fail("completion for unknown request {}", completion->request_id);
  }
  delay = from_ps(arrival - now_ps());
  transfer_of(p).tail_ps = 0;
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace kb::models

#include "models/host/host_interface.h"

#include "models/common/wait_registry.h"
#include "models/protocol/phys_addr.h"

namespace kb::models {

namespace {
// The message without the bytes it carried to the machine.
std::shared_ptr<const ControlMessage> without_payload(std::shared_ptr<const ControlMessage> m) {
  const auto* write = std::get_if<MemoryWrite>(&m->body);
  if (write == nullptr || !write->data) return m;
  auto copy = std::make_shared<ControlMessage>(*m);
  std::get<MemoryWrite>(copy->body).data.reset();
  return copy;
}
}  // namespace

bool HostRequest::is_completed() const { return all_delivered_ && done_ps_ <= now_ps(); }

std::shared_ptr<const std::vector<unsigned char>> HostRequest::take_data(std::size_t i) {
  return std::move(completions_.at(i).data);
}

HostInterface::HostInterface(const sc_core::sc_module_name& name, std::uint32_t sips)
    : Component(name),
      out("out"),
      in("in", *this, &HostInterface::b_transport, nullptr),
      sips_(sips) {}

std::shared_ptr<HostRequest> HostInterface::submit(std::shared_ptr<ControlMessage> message,
                                                   std::vector<CubeTarget> targets) {
  if (targets.empty()) fail("request '{}' has no target cube", message->label);
  auto request = std::make_shared<HostRequest>();
  request->id_ = next_id_++;
  message->request_id = request->id_;
  message->reply_to = PhysAddr::host().encode();
  request->message_ = message;
  request->targets_ = std::move(targets);
  request->submitted_ps_ = now_ps();
  outstanding_[request->id_] = request;
  for (const CubeTarget& t : request->targets_) {
    if (t.sip >= sips_) fail("request '{}' targets SIP {} of {}", message->label, t.sip, sips_);
    tlm::tlm_generic_payload& p =
        txn_.control(PhysAddr::mmio(t.sip, t.cube, kMcpuUnit).encode(), message);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    out.transport(t.sip, p, delay);
    if (p.get_response_status() != tlm::TLM_OK_RESPONSE) {
      fail("request '{}' to sip{}.cube{} failed: {}", message->label, t.sip, t.cube,
           p.get_response_string());
    }
  }
  return request;
}

void HostInterface::wait(HostRequest& request) {
  if (!request.all_delivered_) {
    const ScopedWait blocked(fmt::format("{} waits for request '{}' ({}, {} of {} cubes done)",
                                         sc_core::sc_get_current_process_handle().name(),
                                         request.message().label, request.message().kind(),
                                         request.completions_.size(), request.targets_.size()));
    while (!request.all_delivered_) sc_core::wait(request.delivered_);
  }
  if (request.done_ps_ > now_ps()) sc_core::wait(from_ps(request.done_ps_ - now_ps()));
}

void HostInterface::b_transport(int, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  const ControlMessage* message = control_of(p);
  const auto* completion = message ? std::get_if<Completion>(&message->body) : nullptr;
  if (completion == nullptr) {
    p.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  const auto it = outstanding_.find(completion->request_id);
  if (it == outstanding_.end()) fail("completion for unknown request {}", completion->request_id);
  HostRequest& request = *it->second;
  const Picoseconds arrival = now_ps() + to_ps(delay) + transfer_of(p).tail_ps;
  request.completions_.push_back(*completion);
  request.done_ps_ = std::max(request.done_ps_, arrival);
  if (request.completions_.size() == request.targets_.size()) {
    request.all_delivered_ = true;
    request.message_ = without_payload(std::move(request.message_));
    request.delivered_.notify(sc_core::SC_ZERO_TIME);
    outstanding_.erase(it);
  }
  delay = from_ps(arrival - now_ps());
  transfer_of(p).tail_ps = 0;
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace kb::models

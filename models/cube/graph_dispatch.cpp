#include "models/cube/graph_dispatch.h"

#include "models/common/simulation_error.h"
#include "models/protocol/phys_addr.h"

#include <fmt/format.h>

namespace kb::models {

namespace {
// The SIP's requests count from (sip + 1) << 48: the host's never reach there.
constexpr unsigned kRangeShift = 48;
}  // namespace

GraphDispatch::GraphDispatch(InitiatorPort& out, std::uint32_t sip, std::uint32_t cube,
                             Picoseconds latency)
    : out_(out),
      sip_(sip),
      address_(PhysAddr::mmio(sip, cube, kMcpuUnit, kMcpuDispatchOffset).encode()),
      latency_(latency),
      requests_((static_cast<std::uint64_t>(sip) + 1) << kRangeShift) {}

void GraphDispatch::send(std::uint64_t to, const std::shared_ptr<const ControlMessage>& message) {
  tlm::tlm_generic_payload& p = txn_.control(to, message);
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  out_.transport(0, p, delay);
  if (p.get_response_status() != tlm::TLM_OK_RESPONSE) {
    throw SimulationError(fmt::format("dispatch of '{}' to {} failed: {}", message->label,
                                      PhysAddr::decode(to).to_string(), p.get_response_string()));
  }
}

std::shared_ptr<IssuedRequest> GraphDispatch::dispatch(std::shared_ptr<ControlMessage> message,
                                                       std::vector<CubeTarget> targets,
                                                       Residency residency) {
  auto* launch = std::get_if<KernelLaunch>(&message->body);
  if (launch == nullptr) {
    throw SimulationError(fmt::format("sip{}'s graph dispatcher takes kernel launches, not {} '{}'",
                                      sip_, message->kind(), message->label));
  }
  for (const CubeTarget& t : targets) {
    if (t.sip != sip_) {
      throw SimulationError(fmt::format("sip{}'s graph dispatcher cannot launch '{}' on sip{}",
                                        sip_, message->label, t.sip));
    }
  }
  if (residency == Residency::persistent) launch->report_to = address_;
  const std::shared_ptr<const ControlMessage> sent = message;
  auto request = requests_.open(std::move(message), std::move(targets), address_);
  if (residency == Residency::graph) {
    // One node after another on the dispatcher's CPU.
    free_at_ = std::max(free_at_, now_ps()) + latency_;
    sc_core::wait(from_ps(free_at_ - now_ps()));
    for (const CubeTarget& t : request->targets()) {
      send(PhysAddr::mmio(sip_, t.cube, kMcpuUnit).encode(), sent);
    }
    return request;
  }
  for (const CubeTarget& t : request->targets()) {
    Reports& reports = reports_[{request->id(), t.cube}];
    // The release reaches the PEs as it is sent: a PE starts then, or when it is free.
    reports.completion =
        Completion{request->id(), sip_, t.cube, now_ps(), ~0ULL, 0, {}, 0, nullptr};
    reports.remaining = sent->target_pes.size();
  }
  // The barrier's release reaches every PE at once (posted writes, as the host's messages).
  for (const CubeTarget& t : request->targets()) {
    for (std::uint32_t pe : sent->target_pes) {
      send(PhysAddr::mmio(sip_, t.cube, pe, kPeControlOffset).encode(), sent);
    }
  }
  return request;
}

void GraphDispatch::take(const ControlMessage& message, Picoseconds arrival) {
  if (const auto* completion = std::get_if<Completion>(&message.body)) {
    if (!requests_.deliver(*completion, arrival)) {
      throw SimulationError(
          fmt::format("sip{}'s graph dispatcher got a completion for unknown "
                      "request {}",
                      sip_, completion->request_id));
    }
    return;
  }
  const auto* done = std::get_if<PeDone>(&message.body);
  const auto it = done ? reports_.find({done->request_id, done->cube}) : reports_.end();
  if (it == reports_.end()) {
    throw SimulationError(fmt::format("sip{}'s graph dispatcher cannot take {} '{}'", sip_,
                                      message.kind(), message.label));
  }
  Completion& c = it->second.completion;
  c.pes.push_back({done->pe, done->started_ps, done->finished_ps});
  c.started_ps = std::min(c.started_ps, done->started_ps);
  c.finished_ps = std::max(c.finished_ps, done->finished_ps);
  if (--it->second.remaining > 0) return;
  const Completion finished = std::move(c);
  reports_.erase(it);
  requests_.deliver(finished, arrival);
}

}  // namespace kb::models

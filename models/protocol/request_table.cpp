#include "models/protocol/request_table.h"

#include "models/common/sim_time.h"
#include "models/common/wait_registry.h"

#include <fmt/format.h>

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

bool IssuedRequest::is_completed() const { return all_delivered_ && done_ps_ <= now_ps(); }

std::shared_ptr<const std::vector<unsigned char>> IssuedRequest::take_data(std::size_t i) {
  return std::move(completions_.at(i).data);
}

void IssuedRequest::wait() {
  if (!all_delivered_) {
    const ScopedWait blocked(fmt::format("{} waits for request '{}' ({}, {} of {} cubes done)",
                                         sc_core::sc_get_current_process_handle().name(),
                                         message_->label, message_->kind(), completions_.size(),
                                         targets_.size()));
    while (!all_delivered_) sc_core::wait(delivered_);
  }
  if (done_ps_ > now_ps()) sc_core::wait(from_ps(done_ps_ - now_ps()));
}

std::shared_ptr<IssuedRequest> RequestTable::open(std::shared_ptr<ControlMessage> message,
                                                  std::vector<CubeTarget> targets,
                                                  std::uint64_t reply_to) {
  auto request = std::make_shared<IssuedRequest>();
  request->id_ = next_id_++;
  message->request_id = request->id_;
  message->reply_to = reply_to;
  request->message_ = std::move(message);
  request->targets_ = std::move(targets);
  request->submitted_ps_ = now_ps();
  outstanding_[request->id_] = request;
  return request;
}

bool RequestTable::deliver(const Completion& completion, Picoseconds arrival) {
  const auto it = outstanding_.find(completion.request_id);
  if (it == outstanding_.end()) return false;
  IssuedRequest& request = *it->second;
  request.completions_.push_back(completion);
  request.done_ps_ = std::max(request.done_ps_, arrival);
  if (request.completions_.size() == request.targets_.size()) {
    request.all_delivered_ = true;
    request.message_ = without_payload(std::move(request.message_));
    request.delivered_.notify(sc_core::SC_ZERO_TIME);
    outstanding_.erase(it);
  }
  return true;
}

}  // namespace kb::models

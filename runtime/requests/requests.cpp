#include "runtime/requests/requests.h"

#include <fmt/format.h>

#include <algorithm>

namespace kb::runtime {

namespace {
double ns(models::Picoseconds ps) { return static_cast<double>(ps) / 1000.0; }
}  // namespace

nlohmann::ordered_json trace_json(const TraceEntry& e) {
  auto optional = [](const std::optional<std::uint32_t>& v) {
    return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
  };
  return {{"phase", e.phase},
          {"name", e.name},
          {"sip", e.sip},
          {"cube", optional(e.cube)},
          {"pe", optional(e.pe)},
          {"nbytes", e.nbytes},
          {"submitted_ns", e.submitted_ns},
          {"started_ns", e.started_ns},
          {"finished_ns", e.finished_ns},
          {"correlation_id", e.correlation_id},
          {"request_id", e.request_id}};
}

std::shared_ptr<models::ControlMessage> control_message(models::MessageBody body, std::string label,
                                                        std::vector<std::uint32_t> pes) {
  auto m = std::make_shared<models::ControlMessage>();
  m->label = std::move(label);
  m->target_pes = std::move(pes);
  m->body = std::move(body);
  return m;
}

Requests::Requests(models::System& system, std::string correlation_id)
    : system_(system), correlation_id_(std::move(correlation_id)) {}

Handle Requests::record(std::shared_ptr<models::IssuedRequest> request, TraceEntry meta) {
  meta.correlation_id = correlation_id_;
  meta.request_id = request->message().label;
  Handle h{std::move(request), std::move(meta)};
  handles_.push_back(h);
  return h;
}

Handle Requests::submit(std::shared_ptr<models::ControlMessage> m,
                        std::vector<models::CubeTarget> targets, TraceEntry meta) {
  m->correlation_id = correlation_id_;
  return record(system_.host.submit(std::move(m), std::move(targets)), std::move(meta));
}

Handle Requests::dispatch(std::uint32_t sip, std::shared_ptr<models::ControlMessage> m,
                          std::vector<models::CubeTarget> targets, TraceEntry meta,
                          models::Residency residency) {
  m->correlation_id = correlation_id_;
  return record(system_.sip(sip).dispatcher().dispatch(std::move(m), std::move(targets), residency),
                std::move(meta));
}

Handle Requests::load_graph(std::uint32_t sip, std::uint64_t nodes, std::uint64_t bytes_per_node) {
  const std::string label = fmt::format("graph_load_sip{}", sip);
  const std::uint32_t cube = system_.sip(sip).io_cube();
  return submit(control_message(models::GraphLoad{nodes, nodes * bytes_per_node}, label, {}),
                {{sip, cube}},
                TraceEntry{"graph_load", label, sip, cube, std::nullopt, nodes * bytes_per_node});
}

void Requests::wait(const Handle& h) {
  h.request->wait();
  if (!waited_.insert(h.request.get()).second) return;  // traced on its first wait
  TraceEntry entry = h.meta;
  entry.submitted_ns = ns(h.request->submitted_ps());
  models::Picoseconds started = ~0ULL;
  models::Picoseconds finished = 0;
  for (const models::Completion& c : h.request->completions()) {
    started = std::min(started, c.started_ps);
    finished = std::max(finished, c.finished_ps);
  }
  entry.started_ns = ns(started);
  entry.finished_ns = ns(finished);
  traces_.push_back(std::move(entry));
}

bool Requests::is_completed(const Handle& h) const { return waited_.count(h.request.get()) != 0; }

bool Requests::is_finished(const Handle& h) const { return h.request->is_completed(); }

void Requests::wait_all() {
  for (std::size_t i = 0; i < handles_.size(); ++i) {
    if (!is_completed(handles_[i])) wait(handles_[i]);
  }
}

}  // namespace kb::runtime

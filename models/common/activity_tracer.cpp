#include "models/common/activity_tracer.h"

#include <fmt/format.h>
#include <fnmatch.h>

#include <stdexcept>

namespace kb::models {

struct ActivityTracer::Probe : ResourceObserver {
  Probe(ActivityTracer& owner, std::size_t slot, Resource& observed)
      : tracer(owner),
        index(slot),
        resource(observed),
        signal(sc_core::sc_gen_unique_name("activity")) {}
  void on_booking(Picoseconds begin, Picoseconds end) override {
    tracer.schedule(begin, index, +1);
    tracer.schedule(end, index, -1);
  }
  ActivityTracer& tracer;
  std::size_t index;
  Resource& resource;
  sc_core::sc_signal<unsigned> signal;
  unsigned active = 0;
};

ActivityTracer::ActivityTracer(const sc_core::sc_module_name& name, const std::string& vcd_path,
                               const std::string& scope, std::size_t max_signals)
    : sc_core::sc_module(name), file_(nullptr) {
  std::vector<std::string> paths;
  for (const auto& entry : stats_registry().resources()) {
    if (fnmatch(scope.c_str(), entry.path.c_str(), 0) != 0) continue;
    if (probes_.size() == max_signals) {
      throw std::invalid_argument(fmt::format(
          "--vcd-scope '{}' matches more than {} resources; narrow it (e.g. 'system.sip0.cube0.*')",
          scope, max_signals));
    }
    probes_.push_back(std::make_unique<Probe>(*this, probes_.size(), *entry.resource));
    entry.resource->add_observer(probes_.back().get());
    paths.push_back(entry.path);
  }
  if (probes_.empty()) {
    throw std::invalid_argument(fmt::format("--vcd-scope '{}' matches no resource", scope));
  }
  std::string base = vcd_path;
  if (base.size() > 4 && base.compare(base.size() - 4, 4, ".vcd") == 0)
    base.resize(base.size() - 4);
  file_ = sc_core::sc_create_vcd_trace_file(base.c_str());
  file_->set_time_unit(1, sc_core::SC_PS);
  for (std::size_t i = 0; i < probes_.size(); ++i) {
    sc_core::sc_trace(file_, probes_[i]->signal, paths[i]);
  }
  SC_METHOD(apply);
  sensitive << wake_;
  dont_initialize();
}

ActivityTracer::~ActivityTracer() {
  for (const auto& probe : probes_) probe->resource.remove_observer(probe.get());
  if (file_ != nullptr) sc_core::sc_close_vcd_trace_file(file_);
}

void ActivityTracer::schedule(Picoseconds at, std::size_t probe, int delta) {
  changes_.push({at, probe, delta});
  if (changes_.top().at == at) wake_.notify(from_ps(at - now_ps()));
}

void ActivityTracer::apply() {
  const Picoseconds now = now_ps();
  while (!changes_.empty() && changes_.top().at <= now) {
    const Change c = changes_.top();
    changes_.pop();
    Probe& probe = *probes_[c.probe];
    probe.active = static_cast<unsigned>(static_cast<int>(probe.active) + c.delta);
    probe.signal.write(probe.active);
  }
  if (!changes_.empty()) wake_.notify(from_ps(changes_.top().at - now));
}

}  // namespace kb::models

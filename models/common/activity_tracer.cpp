#include "models/common/activity_tracer.h"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace kb::models {

namespace {
constexpr unsigned kCountWidth = 8;
}  // namespace

struct ActivityTracer::Probe {
  explicit Probe(unsigned width) : max(width >= 63 ? INT64_MAX : (std::int64_t{1} << width) - 1) {}
  virtual ~Probe() = default;
  sc_dt::uint64 shown = 0;  // what the VCD samples
  std::int64_t count = 0;   // the value; `shown` is the part the width holds
  std::int64_t max;
};

struct ActivityTracer::ResourceProbe : Probe, ResourceObserver {
  ResourceProbe(ActivityTracer& owner, std::size_t slot, Resource& observed)
      : Probe(kCountWidth), tracer(owner), index(slot), resource(observed) {
    resource.add_observer(this);
  }
  ~ResourceProbe() override { resource.remove_observer(this); }
  void on_booking(Picoseconds begin, Picoseconds end) override {
    tracer.schedule(begin, index, false, +1);
    tracer.schedule(end, index, false, -1);
  }
  ActivityTracer& tracer;
  std::size_t index;
  Resource& resource;
};

struct ActivityTracer::ValueProbe : Probe, ValueObserver {
  ValueProbe(ActivityTracer& owner, std::size_t slot, TracedValue& observed)
      : Probe(observed.width()), tracer(owner), index(slot), value(observed) {
    value.observe(this);
  }
  ~ValueProbe() override { value.observe(nullptr); }
  void on_change(Picoseconds at, std::uint64_t v) override {
    tracer.schedule(at, index, true, static_cast<std::int64_t>(v));
  }
  void on_add(Picoseconds at, std::int64_t delta) override {
    tracer.schedule(at, index, false, delta);
  }
  ActivityTracer& tracer;
  std::size_t index;
  TracedValue& value;
};

ActivityTracer::ActivityTracer(const sc_core::sc_module_name& name, const std::string& vcd_path,
                               const std::string& scope, std::size_t max_signals)
    : sc_core::sc_module(name), file_(nullptr) {
  auto admit = [&](const std::string& path) {
    if (fnmatch(scope.c_str(), path.c_str(), 0) != 0) return false;
    if (probes_.size() + power_.size() == max_signals) {
      throw std::invalid_argument(fmt::format(
          "--vcd-scope '{}' matches more than {} signals; narrow it (e.g. 'system.sip0.cube0.*')",
          scope, max_signals));
    }
    return true;
  };
  for (const auto& entry : stats_registry().resources()) {
    if (!admit(entry.path)) continue;
    probes_.push_back(std::make_unique<ResourceProbe>(*this, probes_.size(), *entry.resource));
    traced_.push_back({entry.path, kCountWidth, nullptr});
  }
  for (const auto& entry : stats_registry().values()) {
    if (!admit(entry.path)) continue;
    probes_.push_back(std::make_unique<ValueProbe>(*this, probes_.size(), *entry.value));
    traced_.push_back({entry.path, entry.value->width(), entry.value});
  }
  const PowerMeter& meter = power_meter();
  std::vector<double> static_w(meter.domains(), 0.0);  // by power domain, in one pass
  for (const auto& e : stats_registry().energies()) {
    if (e.account->domain() < static_w.size())
      static_w[e.account->domain()] += e.account->static_w();
  }
  std::vector<std::string> power_paths;
  for (std::size_t d = 0; d + 1 < meter.domains(); ++d) {
    std::string path = fmt::format("system.sip{}.cube{}.power_w", d / meter.cubes_per_sip(),
                                   d % meter.cubes_per_sip());
    if (!admit(path)) continue;
    power_.push_back({d, static_w[d], static_w[d]});
    power_paths.push_back(std::move(path));
  }
  if (probes_.empty() && power_.empty()) {
    throw std::invalid_argument(fmt::format("--vcd-scope '{}' matches nothing to trace", scope));
  }
  std::string base = vcd_path;
  if (base.size() > 4 && base.compare(base.size() - 4, 4, ".vcd") == 0)
    base.resize(base.size() - 4);
  // SystemC would announce the time unit set below on every run.
  sc_core::sc_report_handler::set_actions("tracing timescale unit set", sc_core::SC_INFO,
                                          sc_core::SC_DO_NOTHING);
  file_ = sc_core::sc_create_vcd_trace_file(base.c_str());
  file_->set_time_unit(1, sc_core::SC_PS);
  for (std::size_t i = 0; i < probes_.size(); ++i) {
    sc_core::sc_trace(file_, probes_[i]->shown, traced_[i].path,
                      static_cast<int>(traced_[i].width));
  }
  for (std::size_t i = 0; i < power_.size(); ++i) {
    sc_core::sc_trace(file_, power_[i].watts, power_paths[i]);
    traced_.push_back({power_paths[i], 1, nullptr});
  }
  SC_METHOD(apply);
  sensitive << wake_;
  dont_initialize();
  if (!power_.empty()) {
    SC_METHOD(sample);
    sensitive << sample_;
  }
}

void ActivityTracer::sample() {
  const PowerMeter& meter = power_meter();
  const Picoseconds window = meter.window_ps();
  const Picoseconds now = now_ps();
  const std::size_t bin = now / window;
  for (PowerProbe& p : power_) {
    const std::vector<double>& bins = meter.bins(p.domain);
    // pJ over ps is W.
    const double pj = bin > 0 && bin - 1 < bins.size() ? bins[bin - 1] : 0.0;
    p.watts = p.static_w + pj / static_cast<double>(window);
  }
  sampling_ = sc_core::sc_pending_activity();
  if (sampling_) next_trigger(from_ps(window - now % window));
}

ActivityTracer::~ActivityTracer() { close(); }

void ActivityTracer::close() {
  probes_.clear();  // detach from what they observe before the file goes
  if (file_ != nullptr) sc_core::sc_close_vcd_trace_file(file_);
  file_ = nullptr;
}

void ActivityTracer::schedule(Picoseconds at, std::size_t probe, bool assign, std::int64_t amount) {
  changes_.push({at, sequence_++, probe, assign, amount});
  if (changes_.top().sequence + 1 == sequence_) wake_.notify(from_ps(at - now_ps()));
}

void ActivityTracer::apply() {
  const Picoseconds now = now_ps();
  while (!changes_.empty() && changes_.top().at <= now) {
    const Change c = changes_.top();
    changes_.pop();
    Probe& probe = *probes_[c.probe];
    probe.count = c.assign ? c.amount : probe.count + c.amount;
    probe.shown = static_cast<sc_dt::uint64>(std::clamp<std::int64_t>(probe.count, 0, probe.max));
  }
  if (!changes_.empty()) wake_.notify(from_ps(changes_.top().at - now));
  if (!sampling_ && !power_.empty()) {
    sampling_ = true;
    const Picoseconds window = power_meter().window_ps();
    sample_.notify(from_ps(window - now % window));
  }
}

}  // namespace kb::models

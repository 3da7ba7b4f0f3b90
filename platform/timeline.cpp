#include "platform/timeline.h"

#include "platform/output_file.h"

#include <fmt/format.h>

#include <regex>
#include <stdexcept>

namespace kb::platform {

namespace {
double us(models::Picoseconds ps) { return static_cast<double>(ps) / 1e6; }

// Process of a track: 1 + its SIP, 0 for the host and anything outside a SIP.
int process_of(const std::string& track) {
  static const std::regex sip(R"(\bsip(\d+)\b)");
  std::smatch m;
  if (std::regex_search(track, m, sip)) return 1 + std::stoi(m[1]);
  return 0;
}
}  // namespace

struct Timeline::Observer : models::ResourceObserver, models::QueueObserver {
  Observer(Timeline& owner, std::string name, models::Resource* observed, models::QueueStats* queue)
      : timeline(owner), track(std::move(name)), resource(observed), queue_stats(queue) {}
  ~Observer() override {
    if (resource != nullptr) resource->remove_observer(this);
    if (queue_stats != nullptr) queue_stats->observer = nullptr;
  }
  void on_booking(models::Picoseconds begin, models::Picoseconds end) override {
    timeline.add_slice(track, "transfer", "transfer", begin, end, nlohmann::ordered_json::object(),
                       true);
  }
  void on_depth(std::uint64_t depth) override {
    timeline.add_counter(track, models::now_ps(), "depth", static_cast<double>(depth), true);
  }
  Timeline& timeline;
  std::string track;
  models::Resource* resource;
  models::QueueStats* queue_stats;
};

Timeline::Timeline(std::size_t max_events, std::size_t max_events_per_track)
    : max_events_(max_events), max_per_track_(max_events_per_track) {}

Timeline::~Timeline() = default;

void Timeline::attach() {
  for (const auto& entry : models::stats_registry().resources()) {
    observers_.push_back(std::make_unique<Observer>(*this, entry.path, entry.resource, nullptr));
    entry.resource->add_observer(observers_.back().get());
  }
  for (const auto& entry : models::stats_registry().queues()) {
    observers_.push_back(std::make_unique<Observer>(*this, entry.path, nullptr, entry.queue));
    entry.queue->observer = observers_.back().get();
  }
}

Timeline::Track& Timeline::track(const std::string& name) {
  auto it = tracks_.find(name);
  if (it == tracks_.end()) {
    const int pid = process_of(name);
    it = tracks_.emplace(name, Track{pid, ++next_tid_[pid], 0}).first;
  }
  return it->second;
}

bool Timeline::admit(Track& t, bool observed) {
  std::size_t& budget = observed ? observed_events_ : own_events_;
  if (budget >= max_events_ || t.events >= max_per_track_) {
    ++dropped_;
    return false;
  }
  ++budget;
  ++t.events;
  return true;
}

void Timeline::slice(const std::string& name, const std::string& label, const std::string& category,
                     models::Picoseconds begin, models::Picoseconds end,
                     nlohmann::ordered_json args) {
  add_slice(name, label, category, begin, end, std::move(args), false);
}

void Timeline::add_slice(const std::string& name, const std::string& label,
                         const std::string& category, models::Picoseconds begin,
                         models::Picoseconds end, nlohmann::ordered_json args, bool observed) {
  Track& t = track(name);
  if (!admit(t, observed)) return;
  events_.push_back({{"name", label},
                     {"cat", category},
                     {"ph", "X"},
                     {"ts", us(begin)},
                     {"dur", us(end - begin)},
                     {"pid", t.pid},
                     {"tid", t.tid},
                     {"args", std::move(args)}});
}

void Timeline::counter(const std::string& name, models::Picoseconds at, const char* series,
                       double value) {
  add_counter(name, at, series, value, false);
}

void Timeline::add_counter(const std::string& name, models::Picoseconds at, const char* series,
                           double value, bool observed) {
  Track& t = track(name);
  if (!admit(t, observed)) return;
  events_.push_back(
      {{"name", name}, {"ph", "C"}, {"ts", us(at)}, {"pid", t.pid}, {"args", {{series, value}}}});
}

void Timeline::add_power() {
  const models::PowerMeter& meter = models::power_meter();
  if (meter.domains() == 0) return;
  // A track per SIP (its cubes' domains) and one for the links domain, the last.
  const std::size_t links = meter.domains() - 1;
  const std::size_t tracks = links / meter.cubes_per_sip() + 1;
  auto track_of = [&](std::size_t domain) {
    return domain == links ? tracks - 1 : domain / meter.cubes_per_sip();
  };
  std::vector<double> static_w(tracks, 0.0);
  for (const auto& e : models::stats_registry().energies())
    static_w[track_of(e.account->domain())] += e.account->static_w();
  std::vector<std::vector<double>> pj(tracks);
  for (std::size_t d = 0; d < meter.domains(); ++d) {
    std::vector<double>& sum = pj[track_of(d)];
    const std::vector<double>& bins = meter.bins(d);
    if (sum.size() < bins.size()) sum.resize(bins.size(), 0.0);
    for (std::size_t i = 0; i < bins.size(); ++i) sum[i] += bins[i];
  }
  const double window_s = static_cast<double>(meter.window_ps()) * 1e-12;
  for (std::size_t k = 0; k < tracks; ++k) {
    const std::string name =
        k + 1 == tracks ? std::string("system.links.power") : fmt::format("system.sip{}.power", k);
    double last = -1.0;
    for (std::size_t i = 0; i < pj[k].size(); ++i) {
      const double watts = pj[k][i] * 1e-12 / window_s + static_w[k];
      if (watts != last) counter(name, i * meter.window_ps(), "W", watts);
      last = watts;
    }
  }
}

nlohmann::ordered_json Timeline::to_json() const {
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  std::map<int, bool> named;
  for (const auto& [name, t] : tracks_) {
    if (!named[t.pid]) {
      named[t.pid] = true;
      all.push_back(
          {{"name", "process_name"},
           {"ph", "M"},
           {"pid", t.pid},
           {"args",
            {{"name", t.pid == 0 ? std::string("host") : "sip" + std::to_string(t.pid - 1)}}}});
    }
    all.push_back({{"name", "thread_name"},
                   {"ph", "M"},
                   {"pid", t.pid},
                   {"tid", t.tid},
                   {"args", {{"name", name}}}});
  }
  for (const auto& e : events_) all.push_back(e);
  return {{"traceEvents", std::move(all)},
          {"displayTimeUnit", "ns"},
          {"metadata",
           {{"dropped_events", dropped_},
            {"max_events", max_events_},
            {"max_events_per_track", max_per_track_}}}};
}

void Timeline::write(const std::string& path) const {
  write_output_file(path, to_json().dump() + '\n');
}

}  // namespace kb::platform

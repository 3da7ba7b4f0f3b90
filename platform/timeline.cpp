#include "platform/timeline.h"

#include "platform/output_file.h"

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
    timeline.slice(track, "transfer", "transfer", begin, end);
  }
  void on_depth(std::uint64_t depth) override { timeline.counter(track, models::now_ps(), depth); }
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

bool Timeline::admit(Track& t) {
  if (events_.size() >= max_events_ || t.events >= max_per_track_) {
    ++dropped_;
    return false;
  }
  ++t.events;
  return true;
}

void Timeline::slice(const std::string& name, const std::string& label, const std::string& category,
                     models::Picoseconds begin, models::Picoseconds end,
                     nlohmann::ordered_json args) {
  Track& t = track(name);
  if (!admit(t)) return;
  events_.push_back({{"name", label},
                     {"cat", category},
                     {"ph", "X"},
                     {"ts", us(begin)},
                     {"dur", us(end - begin)},
                     {"pid", t.pid},
                     {"tid", t.tid},
                     {"args", std::move(args)}});
}

void Timeline::counter(const std::string& name, models::Picoseconds at, std::uint64_t value) {
  Track& t = track(name);
  if (!admit(t)) return;
  events_.push_back(
      {{"name", name}, {"ph", "C"}, {"ts", us(at)}, {"pid", t.pid}, {"args", {{"depth", value}}}});
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

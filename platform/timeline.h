#pragma once
// A Chrome trace-event timeline of a run (opens in Perfetto UI and chrome://tracing):
// one process per SIP plus the host, one track (thread) per PE that ran kernels and per
// link, port or memory that was busy; slices for kernels, transfers and control
// messages; counters for queue depths and, per SIP, power (docs/energy.md).
//
// Bounded: at most `max_events_per_track` events on one track, and `max_events` of the
// machine's observed activity (transfers, queue depths) besides as many of the run's own
// slices and counters (kernels, workload nodes, control messages, power), so that a run
// busy enough to fill the first budget keeps every kernel; events beyond are counted and
// dropped, and the file says how many ("dropped_events" in its metadata), so a 1000-PE run
// stays a file a browser can open.

#include "models/common/stats.h"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kb::platform {

class Timeline {
 public:
  explicit Timeline(std::size_t max_events = 250000, std::size_t max_events_per_track = 5000);
  ~Timeline();

  // Observes every registered resource and queue from now on.
  void attach();

  // A slice on track `track` (e.g. "system.sip0.cube1.pe3"), category `category`.
  void slice(const std::string& track, const std::string& name, const std::string& category,
             models::Picoseconds begin, models::Picoseconds end,
             nlohmann::ordered_json args = nlohmann::ordered_json::object());
  void counter(const std::string& track, models::Picoseconds at, const char* series, double value);
  // A power counter per SIP ("system.sipN.power", its cubes' power in W averaged over the
  // power meter's window, static included) and one for the links between SIPs and to the
  // host ("system.links.power"), from the run's power meter.
  void add_power();

  std::size_t events() const { return events_.size(); }
  std::uint64_t dropped() const { return dropped_; }
  nlohmann::ordered_json to_json() const;
  void write(const std::string& path) const;

 private:
  struct Track {
    int pid;
    int tid;
    std::size_t events = 0;
  };
  struct Observer;

  Track& track(const std::string& name);
  // Whether one more event fits `t` and its budget: observed activity, or the run's own.
  bool admit(Track& t, bool observed);
  void add_slice(const std::string& track, const std::string& name, const std::string& category,
                 models::Picoseconds begin, models::Picoseconds end, nlohmann::ordered_json args,
                 bool observed);
  void add_counter(const std::string& track, models::Picoseconds at, const char* series,
                   double value, bool observed);

  std::size_t max_events_;
  std::size_t max_per_track_;
  std::map<std::string, Track> tracks_;
  std::map<int, int> next_tid_;
  std::vector<nlohmann::ordered_json> events_;
  std::size_t observed_events_ = 0;
  std::size_t own_events_ = 0;
  std::uint64_t dropped_ = 0;
  std::vector<std::unique_ptr<Observer>> observers_;
};

}  // namespace kb::platform

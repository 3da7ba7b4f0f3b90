#pragma once
// VCD waveforms of resource activity: for every resource whose statistics path matches a
// glob, one integer signal counting the transfers occupying it. Bookings are made ahead
// of simulated time (temporal decoupling), so the tracer queues each booking's start and
// end and applies them when simulated time reaches them; the VCD shows when each resource
// was really busy. Off unless asked for; the scope glob keeps large systems small.

#include "models/common/stats.h"

#include <memory>
#include <queue>
#include <string>
#include <vector>

namespace kb::models {

class ActivityTracer : public sc_core::sc_module {
 public:
  // Traces the resources registered so far whose path matches `scope` (fnmatch glob).
  // Throws std::invalid_argument when nothing matches or more than `max_signals` do.
  ActivityTracer(const sc_core::sc_module_name& name, const std::string& vcd_path,
                 const std::string& scope, std::size_t max_signals = 10000);
  ~ActivityTracer() override;
  SC_HAS_PROCESS(ActivityTracer);

  std::size_t signals() const { return probes_.size(); }

 private:
  struct Probe;
  struct Change {
    Picoseconds at;
    std::size_t probe;
    int delta;
    bool operator>(const Change& o) const { return at > o.at; }
  };

  void apply();
  void schedule(Picoseconds at, std::size_t probe, int delta);

  sc_core::sc_trace_file* file_;
  std::vector<std::unique_ptr<Probe>> probes_;
  std::priority_queue<Change, std::vector<Change>, std::greater<>> changes_;
  sc_core::sc_event wake_;
};

}  // namespace kb::models

#pragma once
// VCD waveforms (docs/platform.md, "Waveforms"). For every resource whose statistics path
// matches a glob, an 8-bit count of the transfers occupying it (saturating at 255); for
// every traced value that matches (a PE's state and kernel, a queue's occupancy, a TLB's
// misses), the value at its width; for every cube that matches `system.sipS.cubeC.power_w`,
// its power in W (dynamic over the power meter's last window, plus static), set at the end of
// each window while anything else is still to happen. Bookings and values are set ahead of
// simulated time (temporal decoupling), so the tracer queues each change and applies it when
// simulated time reaches it, in the order made; the VCD shows when things really happened. Off
// unless asked for; the scope glob keeps large systems small.

#include "models/common/stats.h"

#include <memory>
#include <queue>
#include <string>
#include <vector>

namespace kb::models {

class ActivityTracer : public sc_core::sc_module {
 public:
  // A traced signal: its path and width, and for a value its source (whose labels name
  // its values for a viewer; kernels' names are learnt during the run).
  struct Signal {
    std::string path;
    unsigned width;
    const TracedValue* value;  // nullptr: a resource's transfer count or a cube's power
  };

  // Traces what is registered so far and matches `scope` (fnmatch glob). Throws
  // std::invalid_argument when nothing matches or more than `max_signals` do.
  ActivityTracer(const sc_core::sc_module_name& name, const std::string& vcd_path,
                 const std::string& scope, std::size_t max_signals = 10000);
  ~ActivityTracer() override;
  SC_HAS_PROCESS(ActivityTracer);

  std::size_t signals() const { return probes_.size(); }
  // Writes the VCD's last time stamp and closes it; the file is complete from then on.
  void close();
  const std::vector<Signal>& traced() const { return traced_; }

 private:
  struct Probe;
  struct ResourceProbe;
  struct ValueProbe;
  struct Change {
    Picoseconds at;
    std::uint64_t sequence;  // same-time changes apply in the order made
    std::size_t probe;
    bool assign;  // set to `amount`, else add it
    std::int64_t amount;
    bool operator>(const Change& o) const { return at != o.at ? at > o.at : sequence > o.sequence; }
  };

  // A cube's power signal.
  struct PowerProbe {
    std::size_t domain;
    double static_w;
    double watts;
  };

  void apply();
  // Sets every power signal to its last window's power; runs at the end of each window
  // while other activity is pending, so that an idle model still ends.
  void sample();
  void schedule(Picoseconds at, std::size_t probe, bool assign, std::int64_t amount);

  sc_core::sc_trace_file* file_;
  std::vector<std::unique_ptr<Probe>> probes_;
  std::vector<Signal> traced_;
  std::priority_queue<Change, std::vector<Change>, std::greater<>> changes_;
  std::uint64_t sequence_ = 0;
  sc_core::sc_event wake_;
  std::vector<PowerProbe> power_;
  sc_core::sc_event sample_;
  bool sampling_ = true;
};

}  // namespace kb::models

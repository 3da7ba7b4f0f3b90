#pragma once
// A value a component shows in the VCD besides its resources' activity: a PE's state, the
// kernel it runs, a queue's occupancy, a TLB's miss count. Components set it at the
// simulated time the change really happens, which under temporal decoupling may lie ahead
// of the kernel's time; the tracer applies each change when simulated time gets there.
// Components create it with Component::add_value, which registers it under its
// hierarchical path; a change costs one branch when nothing traces it.

#include "models/common/sim_time.h"

#include <string>
#include <vector>

namespace kb::models {

class TracedValue;

// Told of every change of a traced value (the VCD tracer).
class ValueObserver {
 public:
  virtual ~ValueObserver() = default;
  virtual void on_change(Picoseconds at, std::uint64_t value) = 0;
  virtual void on_add(Picoseconds at, std::int64_t delta) = 0;
};

class TracedValue {
 public:
  // `width` bits; `labels[v]` names value v for a viewer (empty: a plain number).
  TracedValue(unsigned width, std::vector<std::string> labels = {})
      : width_(width), labels_(std::move(labels)) {}
  // Names its values from a table that others share and that grows as the run learns names
  // (the process-wide kernel names: every core's `kernel` value reads the one table).
  TracedValue(unsigned width, const std::vector<std::string>* shared)
      : width_(width), shared_(shared) {}
  TracedValue(const TracedValue&) = delete;
  TracedValue& operator=(const TracedValue&) = delete;

  // The value becomes `value` at simulated time `at` (never before the current time).
  void set(Picoseconds at, std::uint64_t value) {
    if (observer_ != nullptr) observer_->on_change(at, value);
  }
  // The value changes by `delta` at `at`: for counts whose changes are made out of time
  // order (arrivals booked ahead, departures now). Shown saturated at the width's maximum.
  void add(Picoseconds at, std::int64_t delta) {
    if (observer_ != nullptr) observer_->on_add(at, delta);
  }

  unsigned width() const { return width_; }
  const std::vector<std::string>& labels() const { return shared_ != nullptr ? *shared_ : labels_; }
  void observe(ValueObserver* observer) { observer_ = observer; }

 private:
  unsigned width_;
  std::vector<std::string> labels_;
  const std::vector<std::string>* shared_ = nullptr;
  ValueObserver* observer_ = nullptr;
};

}  // namespace kb::models

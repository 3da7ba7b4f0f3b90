#pragma once
// Elaborates a System from a topology and runs it: the one place that sets the time
// resolution and the global quantum, measures elaboration, and turns the model's
// recorded faults into an error for the caller.

#include "models/common/activity_tracer.h"
#include "models/system/system.h"
#include "platform/model_params.h"

#include <chrono>
#include <memory>

namespace kb::platform {

struct ElaborationReport {
  double wall_s = 0.0;
  std::uint64_t peak_rss_bytes = 0;
  std::uint64_t modules = 0;   // sc_objects in the hierarchy
  std::uint64_t pes = 0;
};

class Simulation {
 public:
  explicit Simulation(const Topology& topology, const RunOptions& options = {});

  models::System& system() { return *system_; }
  const Topology& topology() const { return topology_; }
  const ElaborationReport& elaboration() const { return elaboration_; }

  // Runs until no events remain (or `limit` of simulated time). Throws
  // models::SimulationError with the model's message when a fault stopped the run.
  void run(sc_core::sc_time limit = sc_core::SC_ZERO_TIME);

 private:
  Topology topology_;
  std::unique_ptr<models::System> system_;
  std::unique_ptr<models::ActivityTracer> tracer_;
  ElaborationReport elaboration_;
};

// Peak resident memory of this process so far (Linux: VmHWM), 0 if unknown.
std::uint64_t peak_rss_bytes();

}  // namespace kb::platform

#pragma once
// Elaborates a System from a topology and runs it: the one place that sets the time
// resolution and the global quantum, measures elaboration, and turns the model's
// recorded faults into an error for the caller.

#include "models/common/activity_tracer.h"
#include "models/system/system.h"
#include "platform/model_params.h"

#include <chrono>
#include <functional>
#include <memory>

namespace kb::platform {

struct ElaborationReport {
  double wall_s = 0.0;
  std::uint64_t peak_rss_bytes = 0;
  std::uint64_t modules = 0;  // sc_objects in the hierarchy
  std::uint64_t pes = 0;
};

class Simulation {
 public:
  explicit Simulation(const Topology& topology, const RunOptions& options = {});
  // After a fault or a deadlock some processes are still suspended inside the model: its
  // modules are then left to the process's exit instead of being destroyed under them.
  ~Simulation();

  models::System& system() { return *system_; }
  const Topology& topology() const { return topology_; }
  const ElaborationReport& elaboration() const { return elaboration_; }
  const RunOptions& options() const { return options_; }

  // Runs until no events remain. Throws models::SimulationError with the model's message
  // when a fault stopped the run, or with a deadlock report when it ran out of events
  // while a process still waited. `progress`, when given, is called about every
  // `progress_every_s` of wall time with the simulated time reached.
  void run(const std::function<void(double sim_ns, double wall_s)>& progress = {},
           double progress_every_s = 1.0);
  double run_wall_s() const { return run_wall_s_; }

 private:
  Topology topology_;
  RunOptions options_;
  std::unique_ptr<models::System> system_;
  std::unique_ptr<models::ActivityTracer> tracer_;
  ElaborationReport elaboration_;
  double run_wall_s_ = 0.0;
  bool processes_suspended_ = false;
};

// Peak resident memory of this process so far (Linux: VmHWM), 0 if unknown.
std::uint64_t peak_rss_bytes();

}  // namespace kb::platform

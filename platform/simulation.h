#pragma once
// Elaborates a System from a topology and runs it: the one place that sets the time
// resolution and the global quantum, measures elaboration, and turns the model's
// recorded faults into an error for the caller.

#include "models/common/activity_tracer.h"
#include "models/system/system.h"
#include "platform/model_params.h"
#include "platform/output_file.h"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

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
  // modules are then left to the process's exit instead of being destroyed under them, as
  // they are after leave_model_to_exit().
  ~Simulation();

  // Leaves the model to the process's exit instead of destroying it: a command that exits
  // next saves its teardown, which SystemC 2.3's registries make quadratic in the model's
  // size (docs/adr/0011-model-left-to-process-exit.md).
  void leave_model_to_exit() { leave_to_exit_ = true; }

  models::System& system() { return *system_; }
  const Topology& topology() const { return topology_; }
  const ElaborationReport& elaboration() const { return elaboration_; }
  const RunOptions& options() const { return options_; }

  // Runs until no events remain, then completes the VCD (if any). Throws
  // models::SimulationError with the model's message when a fault stopped the run, with a
  // deadlock report when it ran out of events while a process still waited, or when
  // simulated time reached models::kMaxPicoseconds. `progress`, when given, is called about every
  // `progress_every_s` of wall time with the simulated time reached.
  void run(const std::function<void(double sim_ns, double wall_s)>& progress = {},
           double progress_every_s = 1.0);
  double run_wall_s() const { return run_wall_s_; }

 private:
  Topology topology_;
  RunOptions options_;
  std::unique_ptr<models::System> system_;
  std::unique_ptr<StagedFile> vcd_;  // written under a temporary name until complete
  std::unique_ptr<models::ActivityTracer> tracer_;
  ElaborationReport elaboration_;
  double run_wall_s_ = 0.0;
  bool processes_suspended_ = false;
  bool leave_to_exit_ = false;
};

// Peak resident memory of this process so far (Linux: VmHWM), 0 if unknown.
std::uint64_t peak_rss_bytes();

// Why the model of `topology` plus `data_bytes` of host memory for a functional run's data
// would not fit the memory the system can still give this process (Linux: MemAvailable) or
// its address-space limit (ulimit -v), naming the sizes; nothing when it fits or neither
// is known.
std::optional<std::string> host_memory_shortfall(const Topology& topology,
                                                 std::uint64_t data_bytes);
// Throws std::runtime_error with the model's shortfall above, if any.
void require_host_memory(const Topology& topology);
// The host memory the model of `topology` takes, an upper estimate.
std::uint64_t model_host_bytes(const Topology& topology);

}  // namespace kb::platform

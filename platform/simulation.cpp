#include "platform/simulation.h"

#include "platform/gtkwave_save.h"

#include "models/common/simulation_error.h"
#include "models/common/wait_registry.h"

#include <fmt/format.h>

#include <tlm_utils/tlm_quantumkeeper.h>

#include <fstream>
#include <string>

namespace kb::platform {

namespace {

std::uint64_t count_objects(const std::vector<sc_core::sc_object*>& objects) {
  std::uint64_t n = 0;
  for (const sc_core::sc_object* o : objects) n += 1 + count_objects(o->get_child_objects());
  return n;
}
}  // namespace

std::uint64_t peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

Simulation::Simulation(const Topology& topology, const RunOptions& options)
    : topology_(topology), options_(options) {
  const auto start = std::chrono::steady_clock::now();
  models::set_time_resolution();
  const models::MachineParams params = machine_params(topology, options);
  tlm_utils::tlm_quantumkeeper::set_global_quantum(
      models::from_ps(models::ns_to_ps(params.quantum_ns)));
  system_ = std::make_unique<models::System>("system", params);
  if (!options.vcd_path.empty()) {
    tracer_ =
        std::make_unique<models::ActivityTracer>("activity", options.vcd_path, options.vcd_scope);
  }
  elaboration_.wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  elaboration_.peak_rss_bytes = peak_rss_bytes();
  elaboration_.modules = count_objects(sc_core::sc_get_top_level_objects());
  elaboration_.pes = static_cast<std::uint64_t>(topology.world_size());
}

Simulation::~Simulation() {
  if (processes_suspended_) {
    (void)system_.release();
    (void)tracer_.release();
  }
}

void Simulation::run(const std::function<void(double, double)>& progress, double progress_every_s) {
  using Clock = std::chrono::steady_clock;
  models::clear_simulation_failure();
  // A fault stops the run with sc_stop(); the driver reports it, not the kernel's banner.
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO,
                                          sc_core::SC_DO_NOTHING);
  const auto start = Clock::now();
  auto last_report = start;
  // Slices of simulated time, so that progress can be reported between them; exiting on
  // starvation keeps the end time exactly where the last event was.
  const sc_core::sc_time slice(100, sc_core::SC_US);
  sc_core::sc_time step = slice;
  while (sc_core::sc_get_status() != sc_core::SC_STOPPED) {
    sc_core::sc_start(step, sc_core::SC_EXIT_ON_STARVATION);
    if (models::simulation_failure() || !sc_core::sc_pending_activity()) break;
    // A slice must reach the next event, or the kernel would not move at all.
    step = std::max(slice, sc_core::sc_time_to_pending_activity());
    if (progress && Clock::now() - last_report >= std::chrono::duration<double>(progress_every_s)) {
      last_report = Clock::now();
      progress(sc_core::sc_time_stamp().to_seconds() * 1e9,
               std::chrono::duration<double>(last_report - start).count());
    }
  }
  run_wall_s_ = std::chrono::duration<double>(Clock::now() - start).count();
  const auto waits = models::current_waits();
  processes_suspended_ = models::simulation_failure().has_value() || !waits.empty();
  if (const auto& failure = models::simulation_failure()) throw models::SimulationError(*failure);
  if (!waits.empty()) {
    std::string report = fmt::format(
        "deadlock: the simulation ran out of events at {} while {} "
        "process(es) still wait:",
        sc_core::sc_time_stamp().to_string(), waits.size());
    for (const std::string& w : waits) report += "\n  " + w;
    throw models::SimulationError(report);
  }
  if (tracer_) write_gtkwave_save(options_.vcd_path, tracer_->traced(), models::now_ps());
}

}  // namespace kb::platform

#include "platform/simulation.h"

#include "platform/output_file.h"

#include "platform/gtkwave_save.h"

#include "models/common/simulation_error.h"
#include "models/common/wait_registry.h"

#include <fmt/format.h>

#include <tlm_utils/tlm_quantumkeeper.h>

#include <sys/resource.h>

#include <fstream>
#include <optional>
#include <string>

namespace kb::platform {

namespace {

std::uint64_t count_objects(const std::vector<sc_core::sc_object*>& objects) {
  std::uint64_t n = 0;
  for (const sc_core::sc_object* o : objects) n += 1 + count_objects(o->get_child_objects());
  return n;
}
// SystemC's VCD writer does not report write errors: a complete file ends with the final
// time stamp, which a full disk would have cut off.
void check_vcd_complete(const std::string& path, models::Picoseconds end) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  const std::string tail = fmt::format("\n#{}\n", end);
  const auto size = static_cast<std::streamoff>(in.tellg());
  std::string last(tail.size(), '\0');
  if (in && size >= static_cast<std::streamoff>(tail.size())) {
    in.seekg(size - static_cast<std::streamoff>(tail.size()));
    in.read(last.data(), static_cast<std::streamsize>(last.size()));
  }
  if (!in || last != tail) {
    throw std::runtime_error(
        fmt::format("the VCD could not be written completely (is the disk "
                    "full?); any previous file is unchanged"));
  }
}

// SystemC prints its reports on stdout, where they would mix with the command's output.
void report_on_stderr(const sc_core::sc_report& report, const sc_core::sc_actions& actions) {
  if ((actions & sc_core::SC_DISPLAY) != 0) {
    fmt::print(stderr, "{}\n", sc_core::sc_report_compose_message(report));
  }
  sc_core::sc_report_handler::default_handler(report, actions & ~sc_core::SC_DISPLAY);
}

}  // namespace

std::uint64_t peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

std::uint64_t model_host_bytes(const Topology& t) {
  // Measured with `kernbench elaborate` (peak memory) and rounded up: 64 MiB of process,
  // 40 KiB per PE, 48 KiB per cube (router, M_CPU, SRAM, its mesh links), 8 KiB per HBM
  // slice. 16 SIPs of 32 x 32 one-PE cubes: 2,054 MiB measured, 2,496 MiB estimated;
  // 64,512 PEs in 256 cubes: 2,285 measured, 2,612 estimated (docs/platform.md, "Scale").
  const auto cubes = static_cast<std::uint64_t>(t.system.sips.count * t.cubes_per_sip());
  const auto slices = cubes * static_cast<std::uint64_t>(t.cube.memory_map.hbm_slices_per_cube);
  return (64ULL << 20) + static_cast<std::uint64_t>(t.world_size()) * (40ULL << 10) +
         cubes * (48ULL << 10) + slices * (8ULL << 10);
}

std::optional<std::string> host_memory_shortfall(const Topology& topology,
                                                 std::uint64_t data_bytes) {
  std::optional<std::uint64_t> available;
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);) {
    if (line.rfind("MemAvailable:", 0) == 0) available = std::stoull(line.substr(13)) * 1024;
  }
  // An address-space limit (ulimit -v) binds as well.
  rlimit limit{};
  const bool limited = getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
                       (!available || limit.rlim_cur < *available);
  if (limited) available = limit.rlim_cur;
  const std::uint64_t model = model_host_bytes(topology);
  if (!available || model + data_bytes <= *available) return std::nullopt;
  constexpr double GiB = 1 << 30;
  return fmt::format(
      "this run needs about {:.1f} GiB of host memory ({:.1f} GiB for the model of {} PEs{}) "
      "but {:.1f} GiB are {}",
      static_cast<double>(model + data_bytes) / GiB, static_cast<double>(model) / GiB,
      topology.world_size(),
      data_bytes == 0
          ? ""
          : fmt::format(", {:.1f} GiB for its data", static_cast<double>(data_bytes) / GiB),
      static_cast<double>(*available) / GiB,
      limited ? "allowed by the address-space limit (ulimit -v)" : "available");
}

void require_host_memory(const Topology& topology) {
  if (const std::optional<std::string> shortfall = host_memory_shortfall(topology, 0))
    throw std::runtime_error(*shortfall);
}

Simulation::Simulation(const Topology& topology, const RunOptions& options)
    : topology_(topology), options_(options) {
  const auto start = std::chrono::steady_clock::now();
  require_host_memory(topology);
  models::set_time_resolution();
  sc_core::sc_report_handler::set_handler(report_on_stderr);
  const models::MachineParams params = machine_params(topology, options);
  tlm_utils::tlm_quantumkeeper::set_global_quantum(
      models::from_ps(models::ns_to_ps(params.quantum_ns)));
  // Before the models: each component's energy account takes its cube's power domain.
  models::power_meter().reset(params.sips, params.cubes_per_sip(),
                              models::ns_to_ps(topology.system.simulation.power_window_ns));
  system_ = std::make_unique<models::System>("system", params);
  if (!options.vcd_path.empty()) {
    vcd_ = std::make_unique<StagedFile>(options.vcd_path);
    try {
      tracer_ = std::make_unique<models::ActivityTracer>("activity", vcd_->staging_path(),
                                                         options.vcd_scope);
    } catch (const std::invalid_argument& e) {
      // A scope that selects nothing, or too much, is the command line's fault (exit 2),
      // found before anything simulates.
      throw OutputPathError(e.what());
    }
  }
  elaboration_.wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  elaboration_.peak_rss_bytes = peak_rss_bytes();
  elaboration_.modules = count_objects(sc_core::sc_get_top_level_objects());
  elaboration_.pes = static_cast<std::uint64_t>(topology.world_size());
}

Simulation::~Simulation() {
  if (processes_suspended_ || leave_to_exit_) {
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
    if (models::now_ps() >= models::kMaxPicoseconds) {
      processes_suspended_ = true;
      throw models::SimulationError(fmt::format(
          "simulated time reached {} ps (53 days), the most a run may simulate: the topology's "
          "latencies and bandwidths or the bench's sizes make this run longer",
          models::now_ps()));
    }
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
  if (tracer_) {
    tracer_->close();
    check_vcd_complete(vcd_->staging_path(), models::now_ps());
    vcd_->commit();
    write_gtkwave_save(options_.vcd_path, tracer_->traced(), models::now_ps());
  }
}

}  // namespace kb::platform

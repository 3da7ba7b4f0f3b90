#include "testbenches/benches/bench_run.h"

#include "models/common/initiator_port.h"
#include "platform/output_file.h"
#include "platform/simulation.h"
#include "platform/timeline.h"
#include "platform/topology/loader.h"
#include "runtime/host/host_program.h"
#include "runtime/trace/trace_export.h"
#include "testbenches/benches/report.h"

#include <fmt/format.h>

#include <filesystem>
#include <memory>

namespace kb::bench {

namespace {

// The original's ids of the message behind a slice.
nlohmann::ordered_json ids(const runtime::Handle& h) {
  return {{"correlation_id", h.request->message().correlation_id},
          {"request_id", h.request->message().label}};
}

// Kernel slices per PE, the bench's own slices (workload nodes per layer) and
// control-message slices on the host track.
void fill_timeline(platform::Timeline& timeline, const Outcome& outcome,
                   const std::vector<runtime::Handle>& handles) {
  for (const runtime::Handle& h : outcome.launches) {
    for (const models::Completion& c : h.request->completions()) {
      for (const models::PeTiming& t : c.pes) {
        timeline.slice(fmt::format("system.sip{}.cube{}.pe{}", c.sip, c.cube, t.pe), h.meta.name,
                       "kernel", t.started_ps, t.finished_ps, ids(h));
      }
    }
  }
  for (const TimelineSpan& s : outcome.spans) {
    timeline.slice(s.track, s.name, s.category,
                   static_cast<models::Picoseconds>(s.begin_ns * 1000.0),
                   static_cast<models::Picoseconds>(s.end_ns * 1000.0));
  }
  for (const TimelineCounter& c : outcome.counters) {
    timeline.counter(c.track, static_cast<models::Picoseconds>(c.at_ns * 1000.0), c.series.c_str(),
                     c.value);
  }
  for (const runtime::Handle& h : handles) {
    if (!h.request->is_completed()) continue;
    timeline.slice("host", h.request->message().label, h.request->message().kind(),
                   h.request->submitted_ps(), h.request->done_ps(), ids(h));
  }
}

// Every file the run writes and the option that makes it: --vcd writes its .gtkw save and
// value filters beside it, --chakra-out a file per rank (rank 0's named before the run).
std::vector<std::pair<std::string, std::string>> written_files(const RunRequest& o) {
  std::vector<std::pair<std::string, std::string>> files;
  if (!o.report.empty()) files.emplace_back("--report", o.report);
  if (!o.timeline.empty()) files.emplace_back("--timeline", o.timeline);
  if (!o.chakra_out.empty()) files.emplace_back("--chakra-out", o.chakra_out + ".0.et");
  if (!o.vcd.empty()) {
    files.emplace_back("--vcd", o.vcd);
    const std::string base = o.vcd.substr(0, o.vcd.size() - (o.vcd.size() > 4 ? 4 : 0));
    for (const char* derived : {".gtkw", ".state.filter", ".kernel.filter"})
      files.emplace_back("--vcd (its " + std::string(derived + 1) + ")", base + derived);
  }
  return files;
}

// Everything the run will write, checked before it starts: a long run's results are not
// lost to a typo in an output path.
void check_outputs(const RunRequest& o) {
  // Two options writing one file would lose one output, however each spells the path.
  const auto files = written_files(o);
  auto resolved = [](const std::string& path) {
    std::error_code ec;  // a path that cannot be resolved is compared as written
    const auto p = std::filesystem::weakly_canonical(std::filesystem::absolute(path), ec);
    return ec ? std::filesystem::absolute(path).lexically_normal() : p;
  };
  for (std::size_t i = 0; i < files.size(); ++i) {
    for (std::size_t j = i + 1; j < files.size(); ++j) {
      const auto a = resolved(files[i].second);
      const auto b = resolved(files[j].second);
      if (a == b) {
        throw platform::OutputPathError(
            fmt::format("{} and {} both write {}", files[i].first, files[j].first, a.string()));
      }
    }
  }
  if (!o.report.empty()) platform::check_output_path(o.report, "--report");
  if (!o.timeline.empty()) platform::check_output_path(o.timeline, "--timeline");
  if (!o.chakra_out.empty()) platform::check_output_path(o.chakra_out + ".0.et", "--chakra-out");
  if (!o.vcd.empty()) {
    platform::check_output_path(o.vcd, "--vcd", true);
    if (o.vcd.size() < 5 || o.vcd.compare(o.vcd.size() - 4, 4, ".vcd") != 0) {
      throw platform::OutputPathError("--vcd " + o.vcd + ": the name must end in .vcd");
    }
  }
}

// The bench's workload as Chakra traces, PREFIX.<rank>.et; what was written, for the report.
nlohmann::ordered_json write_chakra(const std::string& prefix, const Outcome& outcome) {
  const chakra::ExportedTraces traces =
      chakra::export_traces(*outcome.workload, outcome.workload_runs);
  if (traces.ranks.empty()) {
    throw platform::OutputPathError(fmt::format(
        "--chakra-out {}: the workload ran no node, so there is no trace to write", prefix));
  }
  // All rank files or none: a part of them would replay as a smaller job.
  std::vector<std::pair<std::string, std::string>> files;
  for (std::size_t r = 0; r < traces.ranks.size(); ++r) {
    files.emplace_back(fmt::format("{}.{}.et", prefix, r),
                       chakra::serialize_trace(traces.ranks[r]));
  }
  platform::write_output_files(files);
  return {{"prefix", prefix},
          {"ranks", traces.ranks.size()},
          {"nodes", traces.nodes},
          {"dependencies", traces.dependencies},
          {"dropped_dependencies", traces.dropped_dependencies}};
}

// A functional run keeps its tensors' contents in host memory several times over (the
// host copies, the device's memories, the kernels' tiles in double precision and the
// reference): at most 6 bytes per device byte, measured over the benches. A run that
// cannot fit fails now rather than be killed by the system after a long elaboration.
constexpr std::uint64_t kHostBytesPerDeviceByte = 6;

}  // namespace

RunResult run_bench(const RunRequest& o) {
  const platform::Topology topology = platform::load_topology(o.topology, o.overrides);
  const Bench& bench = find_bench(o.bench);
  const Params params(bench.name(), bench.params(), o.params);
  const Footprint footprint = bench.check(params, topology);
  // A bench that verifies no values runs timing-only, asked or not; so does one whose
  // values the host cannot hold (a full-size model), saying so: the simulated time is the
  // same, and a refusal would only make the user ask again with --timing-only.
  bool timing_only = o.timing_only || !bench.verifies();
  check_capacity(footprint, topology);
  std::string timing_only_because;
  if (!timing_only) {
    if (const std::optional<std::string> shortfall = platform::host_memory_shortfall(
            topology, kHostBytesPerDeviceByte * footprint.device_bytes)) {
      timing_only = true;
      timing_only_because = *shortfall;
      fmt::print(stderr, "kernbench: running timing-only, values unverified: {}\n", *shortfall);
    }
  }
  if (!o.chakra_out.empty() && !bench.runs_workload()) {
    throw BenchUsageError("--chakra-out: bench " + bench.name() +
                          " runs no workload graph (llm and chakra do)");
  }
  check_outputs(o);
  platform::remove_staged_files_on_signals();

  platform::RunOptions run_options;
  run_options.timing_only = timing_only;
  run_options.fidelity = o.fidelity;
  run_options.vcd_path = o.vcd;
  run_options.vcd_scope = o.vcd_scope;
  platform::Simulation sim(topology, run_options);
  sim.leave_model_to_exit();
  std::unique_ptr<platform::Timeline> timeline;
  if (!o.timeline.empty()) {
    timeline = std::make_unique<platform::Timeline>();
    timeline->attach();
  }
  Outcome outcome;
  outcome.prepared = footprint.prepared;
  std::vector<runtime::Handle> handles;
  std::vector<runtime::TraceEntry> traces;
  runtime::spawn_host_program(sim, [&](runtime::RuntimeContext& ctx) {
    bench.run(ctx, params, timing_only, outcome);
    handles = ctx.handles();
    traces = ctx.traces();
  });
  sim.run(o.progress);

  const RunFigures figures{platform::topology_source(o.topology),
                           sc_core::sc_time_stamp().to_seconds() * 1e9,
                           sim.run_wall_s(),
                           models::transaction_count(),
                           timing_only,
                           timing_only_because,
                           o.fidelity,
                           o.overrides};
  RunResult result;
  result.report = make_report(bench, params, outcome, topology, figures);
  if (!o.chakra_out.empty()) result.report["chakra_out"] = write_chakra(o.chakra_out, outcome);
  if (o.traces) {
    auto& list = result.report["traces"] = nlohmann::ordered_json::array();
    for (const runtime::TraceEntry& t : traces) list.push_back(runtime::trace_json(t));
  }
  if (!o.report.empty()) platform::write_output_file(o.report, result.report.dump(2) + '\n');
  if (timeline) {
    fill_timeline(*timeline, outcome, handles);
    timeline->add_power();
    timeline->write(o.timeline);
  }
  result.verification_failed = outcome.verified && !outcome.verification.ok;
  return result;
}

void print_progress(double sim_ns, double wall_s) {
  fmt::print(stderr, "\r[kernbench] simulated {:.3f} us after {:.1f} s ({:.1f} us per second)   ",
             sim_ns / 1e3, wall_s, sim_ns / 1e3 / wall_s);
}

void clear_progress() { fmt::print(stderr, "\r{:80}\r", ""); }

nlohmann::ordered_json benches_json() {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& bench : benches()) {
    auto& b = out[bench->name()];
    b["description"] = bench->description();
    b["params"] = nlohmann::ordered_json::object();
    for (const Param& p : bench->params()) b["params"][p.name] = p.default_value;
  }
  return out;
}

}  // namespace kb::bench

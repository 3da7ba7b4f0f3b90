#include "testbenches/kernbench/run_command.h"

#include "models/common/initiator_port.h"
#include "platform/commands/exit_codes.h"
#include "platform/commands/topology_options.h"
#include "platform/output_file.h"
#include "platform/simulation.h"
#include "platform/timeline.h"
#include "runtime/host/host_program.h"
#include "runtime/trace/trace_export.h"
#include "testbenches/benches/report.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

namespace kb::cli {

namespace {

struct RunOptions {
  std::string bench;
  std::optional<std::string> topology;
  std::vector<std::string> overrides;
  std::vector<std::string> params;
  std::string report;
  std::string vcd;
  std::string vcd_scope = "*";
  std::string timeline;
  std::string chakra_out;
  bool timing_only = false;
  std::string fidelity = "transaction";  // checked by the option's validator
  bool quiet = false;
};

// The original's ids of the message behind a slice.
nlohmann::ordered_json ids(const runtime::Handle& h) {
  return {{"correlation_id", h.request->message().correlation_id},
          {"request_id", h.request->message().label}};
}

// Kernel slices per PE, the bench's own slices (workload nodes per layer) and
// control-message slices on the host track.
void fill_timeline(platform::Timeline& timeline, const bench::Outcome& outcome,
                   const std::vector<runtime::Handle>& handles) {
  for (const runtime::Handle& h : outcome.launches) {
    for (const models::Completion& c : h.request->completions()) {
      for (const models::PeTiming& t : c.pes) {
        timeline.slice(fmt::format("system.sip{}.cube{}.pe{}", c.sip, c.cube, t.pe), h.meta.name,
                       "kernel", t.started_ps, t.finished_ps, ids(h));
      }
    }
  }
  for (const bench::TimelineSpan& s : outcome.spans) {
    timeline.slice(s.track, s.name, s.category,
                   static_cast<models::Picoseconds>(s.begin_ns * 1000.0),
                   static_cast<models::Picoseconds>(s.end_ns * 1000.0));
  }
  for (const runtime::Handle& h : handles) {
    if (!h.request->is_completed()) continue;
    timeline.slice("host", h.request->message().label, h.request->message().kind(),
                   h.request->submitted_ps(), h.request->done_ps(), ids(h));
  }
}

// Everything the run will write, checked before it starts: a long run's results are not
// lost to a typo in an output path.
// Every file the run writes and the option that makes it: --vcd writes its .gtkw save and
// value filters beside it, --chakra-out a file per rank (rank 0's named before the run).
std::vector<std::pair<std::string, std::string>> written_files(const RunOptions& o) {
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

void check_outputs(const RunOptions& o) {
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
nlohmann::ordered_json write_chakra(const std::string& prefix, const bench::Outcome& outcome) {
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

int run(const RunOptions& o) {
  const TopologyOptions source{o.topology, o.overrides};
  const platform::Topology topology = source.load();
  const bench::Bench& bench = bench::find_bench(o.bench);
  const bench::Params params(bench.name(), bench.params(), o.params);
  const bench::Footprint footprint = bench.check(params, topology);
  bench::check_capacity(footprint, topology);
  if (!o.chakra_out.empty() && !bench.runs_workload()) {
    throw bench::BenchUsageError("--chakra-out: bench " + bench.name() +
                                 " runs no workload graph (llm and chakra do)");
  }
  check_outputs(o);
  platform::require_host_memory(
      topology, o.timing_only ? 0 : kHostBytesPerDeviceByte * footprint.device_bytes);
  platform::remove_staged_files_on_signals();

  platform::RunOptions run_options;
  run_options.timing_only = o.timing_only;
  run_options.fidelity = *models::parse_fidelity(o.fidelity);
  run_options.vcd_path = o.vcd;
  run_options.vcd_scope = o.vcd_scope;
  platform::Simulation sim(topology, run_options);
  sim.leave_model_to_exit();
  std::unique_ptr<platform::Timeline> timeline;
  if (!o.timeline.empty()) {
    timeline = std::make_unique<platform::Timeline>();
    timeline->attach();
  }
  bench::Outcome outcome;
  std::vector<runtime::Handle> handles;
  runtime::spawn_host_program(sim, [&](runtime::RuntimeContext& ctx) {
    bench.run(ctx, params, o.timing_only, outcome);
    handles = ctx.handles();
  });
  const bool progress = !o.quiet && isatty(STDERR_FILENO);
  sim.run(progress ? [](double sim_ns, double wall_s) {
    fmt::print(stderr, "\r[kernbench] simulated {:.3f} us after {:.1f} s ({:.1f} us per second)   ",
               sim_ns / 1e3, wall_s, sim_ns / 1e3 / wall_s);
  } : std::function<void(double, double)>());
  if (progress) fmt::print(stderr, "\r{:80}\r", "");

  bench::RunFigures figures{source.source(),  sc_core::sc_time_stamp().to_seconds() * 1e9,
                            sim.run_wall_s(), models::transaction_count(),
                            o.timing_only,    run_options.fidelity,
                            o.overrides};
  nlohmann::ordered_json report = bench::make_report(bench, params, outcome, topology, figures);
  if (!o.chakra_out.empty()) report["chakra_out"] = write_chakra(o.chakra_out, outcome);
  if (!o.report.empty()) platform::write_output_file(o.report, report.dump(2) + '\n');
  if (timeline) {
    fill_timeline(*timeline, outcome, handles);
    timeline->add_power();
    timeline->write(o.timeline);
  }
  fmt::print("{}", bench::summary_text(report));
  return outcome.verified && !outcome.verification.ok ? kVerificationFailed : kOk;
}

}  // namespace

// An output option given an empty path would name no file and write nothing.
const CLI::Validator kSomePath(
    [](std::string& path) {
      return path.empty() ? std::string("an empty path names no file") : std::string();
    },
    "", "non-empty");

void add_run_command(CLI::App& app, std::function<int()>& action) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* cmd =
      app.add_subcommand("run", "run a bench and report simulated time, bound and utilisation");
  cmd->add_option("BENCH", o->bench, "bench name (kernbench list)")->required();
  cmd->add_option("--topology", o->topology,
                  "topology YAML (default: the embedded configs/topology.yaml)");
  cmd->add_option("--set", o->overrides, "override a topology key (repeatable)")
      ->type_name("KEY.PATH=VALUE");
  cmd->add_option("--param", o->params, "set a bench parameter (repeatable)")
      ->type_name("NAME=VALUE");
  cmd->add_option("--report", o->report, "write the JSON report here")
      ->type_name("FILE.json")
      ->check(kSomePath);
  auto* vcd = cmd->add_option("--vcd", o->vcd, "write resource activity waveforms here")
                  ->type_name("FILE.vcd")
                  ->check(kSomePath);
  cmd->add_option("--vcd-scope", o->vcd_scope, "glob over resource paths to trace (default: all)")
      ->type_name("GLOB")
      ->needs(vcd);
  cmd->add_option("--chakra-out", o->chakra_out,
                  "write the executed workload (llm, chakra) as Chakra traces PREFIX.<rank>.et")
      ->type_name("PREFIX")
      ->check(kSomePath);
  cmd->add_option("--timeline", o->timeline, "write a Chrome trace-event timeline here (Perfetto)")
      ->type_name("FILE.json")
      ->check(kSomePath);
  cmd->add_flag("--timing-only", o->timing_only,
                "skip data movement and arithmetic; same simulated time");
  cmd->add_option("--fidelity", o->fidelity,
                  "transaction (default): every queue entry a transaction; flow: bulk transfers "
                  "as one, timed as their entries would be (docs/fidelity.md)")
      ->check(CLI::Validator(
          [](std::string& text) {
            return models::parse_fidelity(text)
                       ? std::string()
                       : "'" + text + "' is not one of " + models::fidelity_choices();
          },
          "", "fidelity"))
      ->type_name(models::fidelity_choices());
  cmd->add_flag("--quiet", o->quiet, "no progress on stderr");
  cmd->footer(
      "Examples:\n"
      "  kernbench run gemm --param M=512 --param N=512 --param K=512 --report r.json\n"
      "  kernbench run vector_add --param elements=64M --timing-only\n"
      "  kernbench run memcpy --topology configs/multi_sip.yaml --param route=cross_sip\n"
      "  kernbench run softmax --timeline t.json --vcd w.vcd --vcd-scope 'system.sip0.cube0.*'");
  cmd->callback([&action, o] { action = [o] { return run(*o); }; });
}

}  // namespace kb::cli

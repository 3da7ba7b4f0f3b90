#include "testbenches/kernbench/run_command.h"

#include "platform/commands/exit_codes.h"
#include "testbenches/benches/bench_run.h"
#include "testbenches/benches/report.h"

#include <fmt/format.h>
#include <unistd.h>

#include <memory>

namespace kb::cli {

namespace {

struct RunOptions {
  bench::RunRequest request;
  std::string fidelity = "transaction";  // checked by the option's validator
  bool quiet = false;
};

int run(RunOptions& o) {
  o.request.fidelity = *models::parse_fidelity(o.fidelity);
  const bool progress = !o.quiet && isatty(STDERR_FILENO);
  if (progress) o.request.progress = bench::print_progress;
  const bench::RunResult result = bench::run_bench(o.request);
  if (progress) bench::clear_progress();
  fmt::print("{}", bench::summary_text(result.report));
  return result.verification_failed ? kVerificationFailed : kOk;
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
  cmd->add_option("BENCH", o->request.bench, "bench name (kernbench list)")->required();
  cmd->add_option("--topology", o->request.topology,
                  "topology YAML (default: the embedded configs/topology.yaml)");
  cmd->add_option("--set", o->request.overrides, "override a topology key (repeatable)")
      ->type_name("KEY.PATH=VALUE");
  cmd->add_option("--param", o->request.params, "set a bench parameter (repeatable)")
      ->type_name("NAME=VALUE");
  cmd->add_option("--report", o->request.report, "write the JSON report here")
      ->type_name("FILE.json")
      ->check(kSomePath);
  auto* vcd = cmd->add_option("--vcd", o->request.vcd, "write resource activity waveforms here")
                  ->type_name("FILE.vcd")
                  ->check(kSomePath);
  cmd->add_option("--vcd-scope", o->request.vcd_scope,
                  "glob over resource paths to trace (default: all)")
      ->type_name("GLOB")
      ->needs(vcd);
  cmd->add_option("--chakra-out", o->request.chakra_out,
                  "write the executed workload (llm, chakra) as Chakra traces PREFIX.<rank>.et")
      ->type_name("PREFIX")
      ->check(kSomePath);
  cmd->add_option("--timeline", o->request.timeline,
                  "write a Chrome trace-event timeline here (Perfetto)")
      ->type_name("FILE.json")
      ->check(kSomePath);
  cmd->add_flag("--timing-only", o->request.timing_only,
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

// The serve bench (docs/serving.md): requests arriving over time served by a scheduler with
// continuous batching and a paged KV cache, each iteration lasting the simulated step of
// its batch: TTFT, TPOT, end-to-end latency and queueing percentiles, throughput and
// goodput under load.
#include "testbenches/benches/bench.h"
#include "testbenches/benches/model_params.h"
#include "testbenches/benches/step_memory.h"

#include "platform/output_file.h"
#include "runtime/serving/machine_steps.h"
#include "runtime/serving/serve_metrics.h"
#include "runtime/serving/server.h"
#include "runtime/workload/projection_mapper.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstdio>

namespace kb::bench {

namespace serving = runtime::serving;
using runtime::ModelConfig;
using runtime::Phase;
using runtime::StepShape;

namespace {

// Everything a run needs, resolved from the parameters and the topology (by check() and
// again by run()).
struct ServeSetup {
  ModelConfig model;
  StepShape base;  // tp, launch and fusion of every step
  serving::Policy policy = serving::Policy::vllm;
  serving::SchedulerLimits limits;
  serving::Slo slo;
  std::int64_t kv_block = 16, kv_blocks = 0;
  std::uint64_t kv_bytes_per_token = 0;  // per SIP
  std::vector<serving::Request> requests;
  std::string source;  // the trace, or the synthetic load, in words
  int grid = 4;
  std::int64_t step_check = 0;
  serving::Padding padding;
  std::int64_t step_layers = 1;
  std::string requests_out;
};

serving::TokenCount token_count(const Params& params, const std::string& name) {
  try {
    return serving::TokenCount::parse(params.text(name));
  } catch (const std::invalid_argument& e) {
    throw BenchUsageError(fmt::format("--param {}={}", name, e.what()));
  }
}

std::vector<serving::Request> requests_of(const Params& params, std::string& source) {
  const std::int64_t count = params.count("requests");
  const std::string trace = params.text("trace");
  if (!trace.empty()) {
    std::vector<serving::Request> r;
    try {
      r = serving::read_request_trace(trace, count);
    } catch (const serving::RequestTraceError& e) {
      throw BenchUsageError(e.what());
    }
    const double duration = params.real("duration");
    if (duration > 0) {
      while (!r.empty() && r.back().arrival_s > duration) r.pop_back();
    }
    source = fmt::format("trace {}", trace);
    return r;
  }
  serving::SyntheticLoad load;
  load.rate = params.real("rate");
  const std::string arrival = params.text("arrival");
  if (arrival != "poisson" && arrival != "gamma") {
    throw BenchUsageError("--param arrival=" + arrival + ": expected poisson or gamma");
  }
  load.poisson = arrival == "poisson";
  load.cv = params.real("cv");
  if (!(load.cv > 0)) throw BenchUsageError("--param cv must be above 0");
  if (!(load.rate > 0)) throw BenchUsageError("--param rate must be above 0 requests/s");
  load.prompt = token_count(params, "prompt_tokens");
  load.output = token_count(params, "output_tokens");
  load.requests = count;
  load.duration_s = params.real("duration");
  if (load.requests == 0 && load.duration_s <= 0) {
    throw BenchUsageError("--param requests=0 needs --param duration=SECONDS");
  }
  load.seed = static_cast<std::uint64_t>(params.count("seed"));
  source = fmt::format("{} arrivals at {} requests/s{}, prompts {}, outputs {}, seed {}", arrival,
                       load.rate, load.poisson ? "" : fmt::format(" (cv {})", load.cv),
                       load.prompt.to_string(), load.output.to_string(), load.seed);
  return serving::synthetic_requests(load);
}

ServeSetup setup(const Params& params, const platform::Topology& topology) {
  ServeSetup s;
  s.model = load_bench_model(params);
  const std::int64_t tp = params.count("tp");
  s.base.tp = tp == 0 ? topology.system.sips.count : tp;
  const std::optional<runtime::LaunchMode> launch =
      runtime::parse_launch_mode(params.text("launch"));
  if (!launch) {
    throw BenchUsageError("--param launch=" + params.text("launch") +
                          ": expected host, graph or persistent");
  }
  s.base.launch = *launch;
  const std::optional<runtime::Fusion> fusion = runtime::parse_fusion(params.text("fusion"));
  if (!fusion) {
    throw BenchUsageError("--param fusion=" + params.text("fusion") +
                          ": expected none, qkv, mlp or all");
  }
  s.base.fusion = *fusion;
  const std::string problem =
      runtime::step_shape_problem(s.model, s.base, topology.system.sips.count);
  if (!problem.empty()) throw BenchUsageError("--param " + problem);
  const std::optional<serving::Policy> policy = serving::parse_policy(params.text("scheduler"));
  if (!policy) {
    throw BenchUsageError("--param scheduler=" + params.text("scheduler") +
                          ": expected vllm, sarathi or static");
  }
  s.policy = *policy;
  s.limits.max_batch_tokens = params.integer("max_batch_tokens");
  s.limits.max_seqs = params.integer("max_seqs");
  s.limits.chunk = params.integer("chunk");
  for (const auto& [name, v] :
       {std::pair<const char*, std::int64_t>{"max_batch_tokens", s.limits.max_batch_tokens},
        {"max_seqs", s.limits.max_seqs},
        {"chunk", s.limits.chunk}}) {
    if (v < 1 || v > (1 << 20)) {
      throw BenchUsageError(fmt::format("--param {}={}: expected 1 to 1M", name, v));
    }
  }
  s.slo = {params.real("slo_ttft_ms") / 1e3, params.real("slo_tpot_ms") / 1e3};
  s.kv_block = params.integer("kv_block");
  if (s.kv_block < 1 || s.kv_block > 4096) {
    throw BenchUsageError(
        fmt::format("--param kv_block={}: expected 1 to 4096 tokens", s.kv_block));
  }
  s.grid = static_cast<int>(params.count("step_grid"));
  s.step_check = params.count("step_check");
  if (s.grid > 64) throw BenchUsageError("--param step_grid: at most 64 points per octave");
  const std::string pad = params.text("pad");
  if (pad != "shapes" && pad != "none") {
    throw BenchUsageError("--param pad=" + pad + ": expected shapes or none");
  }
  if (pad == "shapes") {
    s.padding = {true,
                 static_cast<std::int64_t>(topology.cubes_per_sip() * topology.pes_per_cube())};
  }
  const std::int64_t layers = params.count("step_layers");
  s.step_layers = layers == 0 ? s.model.num_hidden_layers : layers;
  if (s.step_layers > s.model.num_hidden_layers) {
    throw BenchUsageError(fmt::format("--param step_layers={}: model {} has {} (0: all)", layers,
                                      s.model.name, s.model.num_hidden_layers));
  }
  s.requests_out = params.text("requests_out");
  if (!s.requests_out.empty()) {
    try {
      platform::check_output_path(s.requests_out, "--param requests_out");
    } catch (const platform::OutputPathError& e) {
      throw BenchUsageError(e.what());
    }
  }
  s.requests = requests_of(params, s.source);

  // The pool: each SIP's HBM after the whole model's weights and the activations of the
  // largest prefill iteration; every SIP holds its share of each cached token.
  StepShape reserve = s.base;
  reserve.phase = Phase::prefill;
  reserve.seq = std::max(s.limits.max_batch_tokens, s.limits.chunk);
  reserve.layers = s.model.num_hidden_layers;
  const SipMemory memory =
      sip_memory(s.model, reserve, runtime::map_projections(s.model, reserve, topology), topology);
  const runtime::LayerDims dims(s.model, s.base);
  s.kv_bytes_per_token = static_cast<std::uint64_t>(
      static_cast<double>(2 * s.model.num_hidden_layers * dims.kv_heads) * s.model.kv_row_bytes());
  const std::uint64_t held = memory.weights + memory.activations;
  const std::uint64_t block_bytes = s.kv_bytes_per_token * static_cast<std::uint64_t>(s.kv_block);
  if (held + block_bytes > memory.capacity) {
    throw BenchUsageError(fmt::format(
        "model {} at tp={} leaves no room for a KV cache: each SIP has {} of HBM and holds {} of "
        "weights and {} of activations (a prefill of {} tokens); raise tp, lower "
        "max_batch_tokens or give the machine more HBM (cube.memory_map.hbm_total_gb_per_cube)",
        s.model.name, s.base.tp, gib(memory.capacity), gib(memory.weights), gib(memory.activations),
        reserve.seq));
  }
  s.kv_blocks = static_cast<std::int64_t>((memory.capacity - held) / block_bytes);
  return s;
}

// "decode b8 s600", "prefill b1 s512 p1024".
std::string key_text(const serving::StepKey& k) {
  return fmt::format("{} b{} s{}{}", runtime::to_string(k.phase), k.batch, k.seq,
                     k.past > 0 ? fmt::format(" p{}", k.past) : std::string());
}

nlohmann::ordered_json distribution_json(const serving::Distribution& d, double scale) {
  return {{"count", d.count},     {"mean", d.mean * scale}, {"p50", d.p50 * scale},
          {"p90", d.p90 * scale}, {"p99", d.p99 * scale},   {"max", d.max * scale}};
}

std::string requests_csv(const serving::ServeResult& result, const serving::Slo& slo) {
  std::string csv =
      "id,arrival_s,prompt_tokens,output_tokens,admitted_s,first_token_s,finished_s,"
      "ttft_ms,tpot_ms,e2e_ms,queue_ms,preemptions,meets_slo\n";
  for (const serving::Sequence& s : result.sequences) {
    const serving::Request& r = *s.request;
    if (s.finished_s < 0) {
      csv += fmt::format("{},{:.6f},{},{},,,,,,,,0,refused\n", r.id, r.arrival_s, r.prompt_tokens,
                         r.output_tokens);
      continue;
    }
    const serving::RequestLatency l = serving::latency(s, slo);
    csv += fmt::format("{},{:.6f},{},{},{:.6f},{:.6f},{:.6f},{:.4f},{},{:.4f},{:.4f},{},{}\n", r.id,
                       r.arrival_s, r.prompt_tokens, r.output_tokens, s.admitted_s, s.first_token_s,
                       s.finished_s, l.ttft * 1e3,
                       l.has_tpot ? fmt::format("{:.4f}", l.tpot * 1e3) : std::string(),
                       l.e2e * 1e3, l.queue * 1e3, s.preemptions, l.meets_slo ? 1 : 0);
  }
  return csv;
}

// A track per request (queued, prefill, decode) and counters for the batch and the KV
// cache, on the serving run's own clock.
void timeline(const serving::ServeResult& result, Outcome& out) {
  for (const serving::Sequence& s : result.sequences) {
    if (s.finished_s < 0) continue;
    const std::string track = fmt::format("serve.request {}", s.request->id);
    const auto span = [&](const char* name, double a, double b) {
      if (b > a) out.spans.push_back({track, name, "serve", a * 1e9, b * 1e9});
    };
    span("queued", s.request->arrival_s, s.admitted_s);
    span("prefill", s.admitted_s, s.first_token_s);
    span("decode", s.first_token_s, s.finished_s);
  }
  // A sample where a counter changes.
  std::int64_t batch = -1, blocks = -1;
  const auto sample = [&](const char* track, const char* series, double at_s, std::int64_t value,
                          std::int64_t& last) {
    if (value != last)
      out.counters.push_back({track, series, at_s * 1e9, static_cast<double>(value)});
    last = value;
  };
  for (const serving::Iteration& it : result.iterations) {
    sample("serve.batch", "sequences", it.begin_s, it.sequences, batch);
    sample("serve.kv_cache", "blocks", it.begin_s, it.kv_blocks, blocks);
  }
}

nlohmann::ordered_json check_json(const std::vector<serving::StepCache::Check>& checks) {
  nlohmann::ordered_json shapes = nlohmann::ordered_json::array();
  double worst = 0, sum = 0;
  for (const serving::StepCache::Check& c : checks) {
    worst = std::max(worst, std::abs(c.error()));
    sum += std::abs(c.error());
    shapes.push_back({{"shape", key_text(c.key)},
                      {"interpolated_ns", c.interpolated_ns},
                      {"simulated_ns", c.simulated_ns},
                      {"error", c.error()}});
  }
  return {{"shapes", checks.size()},
          {"max_abs_error", worst},
          {"mean_abs_error", checks.empty() ? 0.0 : sum / static_cast<double>(checks.size())},
          {"each", std::move(shapes)}};
}

void declare_units(platform::Units& units) {
  units.declare("serve.requests", "", "requests offered (arrived)");
  units.declare("serve.completed", "", "requests served to their last token");
  units.declare("serve.refused", "", "requests whose KV cache can never fit the pool");
  units.declare("serve.preemptions", "", "sequences preempted (recomputed) for KV blocks");
  units.declare("serve.span_s", "s", "first arrival to last finish, on the serving clock");
  for (const char* d : {"ttft_ms", "tpot_ms", "e2e_ms", "queue_ms"})
    units.declare(fmt::format("serve.{}.*", d), "ms", "per-request distribution");
  units.declare("serve.tokens", "", "output tokens of the completed requests");
  units.declare("serve.output_tokens_per_s", "1/s", "output tokens over the span");
  units.declare("serve.requests_per_s", "1/s", "completed requests over the span");
  units.declare("serve.goodput_per_s", "1/s", "requests meeting both SLOs, over the span");
  units.declare("serve.kv.bytes_per_token", "B", "one token's keys and values on one SIP");
  units.declare("serve.in_flight_mean", "", "time-average of requests arrived and not finished");
  units.declare("serve.little_in_flight", "", "requests_per_s x mean e2e latency (Little's law)");
  units.declare("serve.steps.simulated_ns.*", "ns", "each simulated step's time (all layers)");
}

class ServeBench : public Bench {
 public:
  std::string name() const override { return "serve"; }
  std::string description() const override {
    return "requests arriving over time (a trace or a synthetic rate) served with continuous "
           "batching and a paged KV cache, each iteration the simulated step of its batch: "
           "TTFT, TPOT, latency percentiles, throughput and goodput";
  }
  std::vector<Param> params() const override {
    std::vector<Param> all = model_params("a preset or a model file, as the llm bench's");
    std::vector<Param> serving = {
        {"tp", "0", "tensor-parallel SIPs serving the model (0: every SIP of the topology)"},
        {"trace", "",
         "a CSV of arrival time (s), prompt tokens, output tokens per line (the Azure LLM "
         "inference trace reads as is); empty: the synthetic source below"},
        {"rate", "1.0", "synthetic: requests per second"},
        {"arrival", "poisson", "synthetic: poisson or gamma inter-arrival times"},
        {"cv", "1.0", "synthetic, gamma: the inter-arrival times' coefficient of variation"},
        {"prompt_tokens", "512", "synthetic: N, uniform:LO:HI or lognormal:MEDIAN:SIGMA", "",
         Param::Kind::text},
        {"output_tokens", "128", "synthetic: N, uniform:LO:HI or lognormal:MEDIAN:SIGMA", "",
         Param::Kind::text},
        {"seed", "1", "synthetic: the draws' seed"},
        {"requests", "100", "requests to serve (a trace: its first N; 0: all, or a duration's)", "",
         Param::Kind::count},
        {"duration", "0.0", "only requests arriving within this many seconds (0: no limit)", "s"},
        {"scheduler", "vllm",
         "vllm (continuous batching, prefill first), sarathi (chunked prefill with the decodes "
         "under a token budget) or static (batch and wait)"},
        {"max_batch_tokens", "2048", "prompt tokens in one iteration (vllm, static)"},
        {"max_seqs", "64", "sequences running at once"},
        {"chunk", "512", "sarathi: tokens per iteration, decodes and prompt chunks together"},
        {"kv_block", "16", "tokens per KV-cache block"},
        {"slo_ttft_ms", "0.0", "goodput's TTFT objective (0: none)", "ms"},
        {"slo_tpot_ms", "0.0", "goodput's TPOT objective (0: none)", "ms"},
        {"step_grid", "4",
         "grid points per octave of a decode's context and a chunk's past, between which steps "
         "are interpolated (0: every distinct shape simulated)",
         "", Param::Kind::count},
        {"step_check", "0",
         "shapes between grid points simulated as they are after the run, to state the grid's "
         "error (report: serve.steps.check)"},
        {"pad", "shapes",
         "shapes (decode batches run padded to a power of two, prompt chunks to tokens that "
         "divide over the SIP's PEs, as engines pad to the shapes they compiled) or none"},
        {"step_layers", "1",
         "decoder layers simulated per step; the rest take what the last one took (0: all)", "",
         Param::Kind::count},
        {"launch", "host", "who launches each step's nodes, as the llm bench's"},
        {"fusion", "none", "which nodes run as one, as the llm bench's"},
        {"requests_out", "", "a CSV of every request's times and latencies"}};
    all.insert(all.end(), serving.begin(), serving.end());
    return all;
  }

  bool verifies() const override { return false; }

  Footprint check(const Params& params, const platform::Topology& topology) const override {
    const ServeSetup s = setup(params, topology);
    if (s.requests.empty()) throw BenchUsageError("no request arrives within --param duration");
    // The steps run without values, one at a time, each freed before the next: nothing of
    // the served model's size is held.
    return {};
  }

  void run(runtime::RuntimeContext& ctx, const Params& params, bool, Outcome& out) const override {
    const ServeSetup s = setup(params, ctx.topology());
    serving::MachineSteps machine(ctx, s.model, s.base, s.step_layers);
    serving::StepCache cache([&](const serving::StepKey& k) { return machine.cost(k); }, s.grid,
                             s.padding);
    serving::Server server(s.policy, s.limits, serving::KvPool(s.kv_blocks, s.kv_block),
                           [&](const serving::Batch& b) { return cache.time_ns(b) * 1e-9; });
    const serving::ServeResult result = server.run(s.requests);
    for (std::size_t i = 0; i < result.refused.size(); ++i) {
      const serving::Request& r = s.requests[static_cast<std::size_t>(result.refused[i])];
      if (i < 10) {
        fmt::print(stderr,
                   "[kernbench] serve: request {} ({}) refused: {} prompt + {} output tokens "
                   "need {} KV blocks of {} tokens, the pool holds {}\n",
                   r.id, r.origin, r.prompt_tokens, r.output_tokens,
                   server.pool().blocks_for(r.prompt_tokens + r.output_tokens - 1), s.kv_block,
                   s.kv_blocks);
      } else if (i == 10) {
        fmt::print(stderr, "[kernbench] serve: {} more requests refused\n",
                   result.refused.size() - 10);
      }
    }
    const serving::ServeMetrics m = serving::serve_metrics(result, server.pool(), s.slo);
    report(s, m, cache, out);
    const std::vector<serving::StepCache::Check> checks = cache.check(s.step_check);
    if (!checks.empty()) out.extra["serve"]["steps"]["check"] = check_json(checks);
    if (!s.requests_out.empty())
      platform::write_output_file(s.requests_out, requests_csv(result, s.slo));
    timeline(result, out);
    // The served load's energy: every iteration's steps' dynamic energy, the machine's
    // static power over the serving span.
    out.window_energy_pj = cache.dynamic_pj();
    out.window_ns = m.span_s * 1e9;
    out.tokens = static_cast<double>(m.output_tokens);
    out.bound_model = "none: serving figures are measured, not bounded";
  }

 private:
  static void report(const ServeSetup& s, const serving::ServeMetrics& m,
                     const serving::StepCache& cache, Outcome& out) {
    nlohmann::ordered_json j;
    j["model"] = s.model.name;
    j["tp"] = s.base.tp;
    j["scheduler"] = serving::to_string(s.policy);
    j["source"] = s.source;
    j["requests"] = m.requests;
    j["completed"] = m.completed;
    j["refused"] = m.refused;
    j["preemptions"] = m.preemptions;
    j["iterations"] = m.iterations;
    j["span_s"] = m.span_s;
    j["ttft_ms"] = distribution_json(m.ttft_s, 1e3);
    j["tpot_ms"] = distribution_json(m.tpot_s, 1e3);
    j["e2e_ms"] = distribution_json(m.e2e_s, 1e3);
    j["queue_ms"] = distribution_json(m.queue_s, 1e3);
    j["tokens"] = m.output_tokens;
    j["output_tokens_per_s"] = m.output_tokens_per_s;
    j["requests_per_s"] = m.requests_per_s;
    j["goodput_per_s"] = m.goodput_per_s;
    j["slo_attainment"] = m.slo_attainment;
    j["slo"] = {{"ttft_ms", s.slo.ttft_s * 1e3}, {"tpot_ms", s.slo.tpot_s * 1e3}};
    j["batch"] = {{"mean", m.batch_mean}, {"max", m.batch_max}};
    j["busy_fraction"] = m.busy_fraction;
    j["kv"] = {{"blocks", s.kv_blocks},
               {"block_tokens", s.kv_block},
               {"bytes_per_token", s.kv_bytes_per_token},
               {"occupancy_mean", m.kv_occupancy_mean},
               {"occupancy_peak", m.kv_occupancy_peak}};
    j["in_flight_mean"] = m.in_flight_mean;
    j["little_in_flight"] = m.little_in_flight;
    nlohmann::ordered_json simulated = nlohmann::ordered_json::object();
    for (const auto& [k, c] : cache.costs()) {
      simulated[key_text(k)] = c.ns;
    }
    j["steps"] = {{"grid_points_per_octave", s.grid},
                  {"padded", s.padding.decodes},
                  {"padding_overhead", cache.padding_overhead()},
                  {"layers_simulated", s.step_layers},
                  {"lookups", cache.lookups()},
                  {"simulated", cache.simulated()},
                  {"hit_rate", cache.lookups() > 0 ? static_cast<double>(cache.hits()) /
                                                         static_cast<double>(cache.lookups())
                                                   : 0.0},
                  {"simulated_ns", std::move(simulated)}};
    out.extra["serve"] = std::move(j);
    declare_units(out.units);
  }
};

}  // namespace

KB_REGISTER_BENCH(serve, std::make_unique<ServeBench>());

}  // namespace kb::bench

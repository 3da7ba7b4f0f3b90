// The llm bench: one prefill or decode step of a transformer (docs/workloads.md), from the
// tokens' embeddings to the sampled next tokens, as a workload graph on tensor-parallel SIPs, with
// the serving figures (TTFT or TPOT, tokens/s, MFU, MBU), the critical-path breakdown by op class
// and the exposed communication.
#include "testbenches/benches/bench.h"
#include "testbenches/benches/model_params.h"
#include "testbenches/benches/step_memory.h"

#include "runtime/bound/peaks.h"
#include "runtime/memory/virtual_allocator.h"
#include "runtime/workload/executor.h"
#include "runtime/workload/transformer_forward.h"
#include "runtime/workload/transformer_step.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace kb::bench {

using runtime::ModelConfig;
using runtime::Phase;
using runtime::StepShape;

namespace {

// The mapper's choice per op class, and the candidates it weighed.
nlohmann::ordered_json mapping_report(const runtime::ProjectionMap& map) {
  auto candidate = [](const runtime::MappingCandidate& c) {
    return nlohmann::ordered_json{{"split", runtime::to_string(c.split)},
                                  {"input", runtime::to_string(c.input)},
                                  {"bound_ns", c.bound_ns}};
  };
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const runtime::OpClassMapping& c : map.classes) {
    nlohmann::ordered_json entry = candidate(c.chosen);
    entry["considered"] = nlohmann::ordered_json::array();
    for (const runtime::MappingCandidate& k : c.considered)
      entry["considered"].push_back(candidate(k));
    out[c.op_class] = std::move(entry);
  }
  return out;
}

class LlmBench : public Bench {
 public:
  std::string name() const override { return "llm"; }
  std::string description() const override {
    return "one prefill or decode step of a transformer (configs/models/), embedding lookup to "
           "sampled token, on tensor-parallel SIPs: TTFT / TPOT, tokens/s, MFU, MBU and where "
           "the time goes";
  }
  std::vector<Param> params() const override {
    std::vector<Param> all = model_params(
        fmt::format("a preset ({}) or a file", fmt::join(runtime::model_presets(), ", ")));
    std::vector<Param> step = {
        {"phase", "decode", "prefill (seq tokens from position 0) or decode (one token after seq)"},
        {"batch", "0",
         "sequences (0: 4, or one per microbatch and expert-parallel rank when those ask for "
         "more)"},
        {"seq", "128", "prefill: tokens per sequence; decode: tokens already in the KV cache"},
        {"past", "0",
         "prefill: tokens of each sequence already in the KV cache (a later chunk of a prompt)"},
        {"tp", "0", "tensor-parallel SIPs per stage (0: every SIP of the topology over ep x pp)"},
        {"ep", "1",
         "expert-parallel ranks per stage (a mixture's experts split over them, each rank its "
         "own batch / ep sequences)"},
        {"routing_skew", "0.0",
         "the experts tokens go to: 0 uniform, up to 1 (every token's first choice expert 0)"},
        {"routing_seed", "1", "the seed the routing is drawn with"},
        {"pp", "1", "pipeline stages, each of tp x ep SIPs, splitting the layers"},
        {"microbatches", "1", "parts of the batch that go through the stages in turn"},
        {"layers", "0", "decoder layers to run (0: all of the model's)"},
        {"attention", "fused",
         "fused (one kernel, online softmax: memory grows with seq) or materialized (scores "
         "and probabilities stored: with seq squared)"},
        {"launch", "host",
         "who launches each node: host (a round trip over the host link each), graph (the "
         "step's graph handed to the device once, each SIP's I/O cube M_CPU dispatches the "
         "nodes) or persistent (kernels resident on the PEs, a hardware barrier between nodes)"},
        {"fusion", "none",
         "none, qkv (Q, K, V projections in one launch), mlp (gate and up in one) or all (both, "
         "an RMSNorm folded into the projections after it, residual adds into the output and "
         "down projections' epilogues)"},
        {"mapping", "auto",
         "auto (each projection's split and its input's home chosen by their bound), columns or "
         "grid (every projection split so, the homes still chosen)"}};
    all.insert(all.end(), step.begin(), step.end());
    return all;
  }

  bool runs_workload() const override { return true; }

  Footprint check(const Params& params, const platform::Topology& topology) const override {
    const auto [model, shape] = resolve(params, topology);
    // The mapper's search is the costliest part of setting a step up: the run takes it
    // from here (Footprint::prepared).
    auto map =
        std::make_shared<runtime::ProjectionMap>(runtime::map_projections(model, shape, topology));
    const SipMemory m = sip_memory(model, shape, *map, topology);
    // The model must fit each SIP's HBM as it is placed: in all, and on its fullest PE.
    const std::optional<HbmShortfall> pe = hbm_shortfall(m.footprint, topology);
    const std::uint64_t need = m.weights + m.cache + m.activations;
    if (need > m.capacity || pe ||
        m.address_space > runtime::VirtualAllocator::size_for(topology)) {
      throw BenchUsageError(fmt::format(
          "model {} at tp={} ep={} pp={} with batch={} seq={} layers={} does not fit: each SIP "
          "needs {} of HBM (weights {}, KV cache {}, activations {}) and has {}{}: raise tp, ep "
          "or pp (up to system.sips.count SIPs), lower batch, seq or layers, or give the "
          "machine more HBM (cube.memory_map.hbm_total_gb_per_cube)",
          model.name, shape.tp, shape.ep, shape.pp, shape.batch, shape.seq, shape.layers, gib(need),
          gib(m.weights), gib(m.cache), gib(m.activations), gib(m.capacity),
          pe ? fmt::format(" (its fullest PE needs {} of the {} it holds)", gib(pe->needed),
                           gib(pe->capacity))
             : std::string()));
    }
    Footprint all = m.footprint;
    all.device_bytes *= static_cast<std::uint64_t>(shape.sips());
    all.prepared = std::move(map);
    return all;
  }

  void run(runtime::RuntimeContext& ctx, const Params& params, bool timing_only,
           Outcome& out) const override {
    const auto [model, shape] = resolve(params, ctx.topology());
    // A SIP is one device: a context of its own each (its own address space), as the
    // original runtime's RuntimeContext(engine, target_device).
    std::vector<runtime::RuntimeContext*> devices;
    for (std::int64_t s = 0; s < shape.sips(); ++s) {
      out.device_contexts.push_back(std::make_unique<runtime::RuntimeContext>(
          ctx.simulation(), runtime::Device::only(static_cast<std::uint32_t>(s))));
      devices.push_back(out.device_contexts.back().get());
    }
    const auto* map = static_cast<const runtime::ProjectionMap*>(out.prepared.get());
    runtime::TransformerStep step(model, shape, devices, ctx, !timing_only, map);
    out.prepared.reset();
    const runtime::WorkloadGraph& graph = step.graph();
    const std::vector<runtime::NodeRun>& runs = run_workload(graph, devices, out, shape.launch);
    record(graph, runs, out);
    const runtime::StepWork work = runtime::step_work(model, shape);
    out.flops = work.flops;
    out.tokens = static_cast<double>(shape.tokens());
    out.bytes = work.weight_bytes + work.kv_bytes;
    report(model, shape, step, runs, work, ctx.topology(), out);
    // Every microbatch's hidden state on each SIP of the last stage, and its logits and
    // sampled tokens, are read back, timing-only or not: the same requests.
    out.verified = !timing_only;
    for (std::int64_t r = 0; r < shape.ep * shape.microbatches; ++r) {
      const auto mb = static_cast<std::size_t>(r % shape.microbatches);
      const auto ep_rank = static_cast<std::size_t>(r / shape.microbatches);
      const std::size_t last =
          static_cast<std::size_t>((shape.pp - 1) * shape.width()) + ep_rank * shape.tp;
      std::vector<runtime::HostTensor> outputs;
      for (std::size_t s = 0; s < static_cast<std::size_t>(shape.tp); ++s)
        outputs.push_back(devices[last + s]->to_host(step.output(ep_rank * shape.tp + s, mb)));
      const runtime::HostTensor logits = devices[last]->to_host(step.logits(mb, ep_rank));
      const runtime::HostTensor next = devices[last]->to_host(step.next_tokens(mb, ep_rank));
      if (timing_only || !out.verification.ok) continue;
      out.verification =
          verify(model, shape.microbatch(), step.data(mb, ep_rank), outputs.front(), logits, next);
      for (std::size_t s = 1; s < outputs.size() && out.verification.ok; ++s) {
        // Every SIP ends with the same hidden state: the all-reduce gave each the same sums.
        const runtime::Verification same = runtime::compare_exact(outputs[s], outputs.front());
        if (!same.ok) {
          out.verification = same;
          out.verification.first_failure =
              fmt::format("SIP {} differs from SIP 0: {}", s, same.first_failure);
        }
      }
      if (!out.verification.ok && (shape.microbatches > 1 || shape.ep > 1)) {
        out.verification.first_failure = fmt::format("ep rank {} microbatch {}: {}", ep_rank, mb,
                                                     out.verification.first_failure);
      }
    }
  }

 private:
  struct Resolved {
    ModelConfig model;
    StepShape shape;
  };
  static Resolved resolve(const Params& params, const platform::Topology& topology) {
    const ModelConfig model = load_bench_model(params);
    StepShape shape;
    const std::string phase = params.text("phase");
    if (phase != "prefill" && phase != "decode") {
      throw BenchUsageError("--param phase=" + phase + ": expected prefill or decode");
    }
    shape.phase = phase == "prefill" ? Phase::prefill : Phase::decode;
    const std::string attention = params.text("attention");
    if (attention != "fused" && attention != "materialized") {
      throw BenchUsageError("--param attention=" + attention + ": expected fused or materialized");
    }
    shape.attention =
        attention == "fused" ? runtime::AttentionMode::fused : runtime::AttentionMode::materialized;
    const std::string launch = params.text("launch");
    const std::optional<runtime::LaunchMode> mode = runtime::parse_launch_mode(launch);
    if (!mode) {
      throw BenchUsageError("--param launch=" + launch + ": expected host, graph or persistent");
    }
    shape.launch = *mode;
    const std::string fusion = params.text("fusion");
    const std::optional<runtime::Fusion> fused = runtime::parse_fusion(fusion);
    if (!fused) {
      throw BenchUsageError("--param fusion=" + fusion + ": expected none, qkv, mlp or all");
    }
    shape.fusion = *fused;
    const std::string mapping = params.text("mapping");
    const std::optional<runtime::MappingMode> mapped = runtime::parse_mapping(mapping);
    if (!mapped) {
      throw BenchUsageError("--param mapping=" + mapping + ": expected auto, columns or grid");
    }
    shape.mapping = *mapped;
    shape.seq = params.integer("seq");
    shape.past = params.count("past");
    if (shape.seq < 1) throw BenchUsageError("--param seq must be at least 1");
    const std::int64_t tp = params.count("tp"), layers = params.count("layers");
    shape.pp = params.integer("pp");
    shape.ep = params.integer("ep");
    shape.microbatches = params.integer("microbatches");
    // Unset, the batch is 4 sequences, or as many as the microbatches and the ep ranks
    // need to get one each: `--param pp=4 --param microbatches=8` runs as it reads.
    constexpr std::int64_t kMaxTokens = 1 << 24;
    shape.batch = params.count("batch");
    if (shape.batch == 0) {
      shape.batch =
          std::max<std::int64_t>(4, std::clamp<std::int64_t>(shape.microbatches, 1, kMaxTokens) *
                                        std::clamp<std::int64_t>(shape.ep, 1, kMaxTokens));
    }
    shape.routing_skew = params.real("routing_skew");
    shape.routing_seed = static_cast<std::uint32_t>(params.integer("routing_seed"));
    shape.tp = tp == 0
                   ? std::max<std::int64_t>(1, topology.system.sips.count / (shape.pp * shape.ep))
                   : tp;
    shape.layers = layers == 0 ? model.num_hidden_layers : layers;
    // Each alone first, so that their product cannot overflow.
    if (shape.batch > kMaxTokens) {
      throw BenchUsageError(
          fmt::format("--param batch={}: at most {} sequences", shape.batch, kMaxTokens));
    }
    if (shape.seq >= kMaxTokens || shape.past >= kMaxTokens) {
      throw BenchUsageError(fmt::format("--param seq={} past={}: at most {} tokens per sequence",
                                        shape.seq, shape.past, kMaxTokens - 1));
    }
    if (shape.batch * shape.seq_q() > kMaxTokens || shape.keys() > kMaxTokens) {
      throw BenchUsageError(
          fmt::format("batch={} seq={}: at most 16M tokens in a step", shape.batch, shape.seq));
    }
    const std::string problem =
        runtime::step_shape_problem(model, shape, topology.system.sips.count);
    if (!problem.empty()) throw BenchUsageError("--param " + problem);
    return {model, shape};
  }

  // Per node: a kernel record for nodes without kernels (the host's input copy), and a
  // slice on its SIP's track for its layer.
  static void record(const runtime::WorkloadGraph& graph, const std::vector<runtime::NodeRun>& runs,
                     Outcome& out) {
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const runtime::WorkloadNode& n = graph.nodes()[i];
      if (runs[i].handles.empty()) {
        out.kernels.push_back({n.name, n.device, runs[i].issued_ns, runs[i].done_ns});
      }
      out.spans.push_back({fmt::format("sip{}.layer {}", n.device, n.layer), n.name,
                           runtime::to_string(n.op_class), runs[i].busy_begin_ns(),
                           runs[i].busy_end_ns()});
    }
  }

  // The nodes of one SIP's first layer.
  static std::size_t nodes_per_layer(const runtime::WorkloadGraph& graph,
                                     std::int64_t microbatches) {
    std::size_t n = 0;
    for (const runtime::WorkloadNode& node : graph.nodes())
      n += node.layer == "L0" && node.device == 0 ? 1 : 0;
    return n / static_cast<std::size_t>(microbatches);
  }

  // The pipeline's idle share: 1 - (each stage's time on its microbatches, summed: from the
  // first to the last PE busy with the microbatch's layers, embedding or head) / (stages x
  // the span from the first such start to the last such end). Balanced stages that take t
  // each and transfers that take no time: (p - 1) / (m + p - 1).
  struct Pipeline {
    double bubble = 0;
    std::vector<double> stage_ns;  // each stage's busy time per microbatch, on average
  };
  static Pipeline pipeline(const runtime::TransformerStep& step,
                           const std::vector<runtime::NodeRun>& runs, const StepShape& shape) {
    std::map<std::pair<std::int64_t, std::int64_t>, std::pair<double, double>> spans;
    double begin = INFINITY, end = 0;
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const runtime::TransformerStep::Place& at = step.places()[i];
      if (at.stage < 0) continue;
      auto [it, fresh] = spans.try_emplace({at.stage, at.microbatch}, runs[i].busy_begin_ns(),
                                           runs[i].busy_end_ns());
      if (!fresh) {
        it->second.first = std::min(it->second.first, runs[i].busy_begin_ns());
        it->second.second = std::max(it->second.second, runs[i].busy_end_ns());
      }
      begin = std::min(begin, runs[i].busy_begin_ns());
      end = std::max(end, runs[i].busy_end_ns());
    }
    // Each stage's busy time: the union of its microbatches' spans (a microbatch's embedding
    // may run while the stage works on the one before).
    std::map<std::int64_t, std::vector<std::pair<double, double>>> by_stage;
    for (const auto& [key, span] : spans) by_stage[key.first].push_back(span);
    Pipeline p;
    double busy = 0;
    for (auto& [stage, intervals] : by_stage) {
      std::sort(intervals.begin(), intervals.end());
      double covered_to = intervals.front().first, mine = 0;
      for (const auto& [from, to] : intervals) {
        mine += std::max(0.0, to - std::max(from, covered_to));
        covered_to = std::max(covered_to, to);
      }
      busy += mine;
      p.stage_ns.push_back(mine / static_cast<double>(shape.microbatches));
    }
    p.bubble = end > begin ? 1 - busy / (static_cast<double>(shape.pp) * (end - begin)) : 0.0;
    return p;
  }

  // A pipeline's floor from its stages' chains (transfers left out): microbatch 0 crosses
  // every stage in turn, and a stage takes its microbatches one after another, so the
  // step is at least sum(b) + (m - 1) max(b) for stage bounds b (the chain of a stage's
  // nodes for one microbatch).
  static double pipeline_bound(const runtime::TransformerStep& step, const StepShape& shape) {
    const std::vector<runtime::WorkloadNode>& nodes = step.graph().nodes();
    double total = 0, slowest = 0;
    for (std::int64_t stage = 0; stage < shape.pp; ++stage) {
      runtime::WorkloadGraph chain;
      std::set<std::string> mine;
      for (std::size_t i = 0; i < nodes.size(); ++i) {
        const runtime::TransformerStep::Place& at = step.places()[i];
        if (at.stage == stage && at.microbatch == 0) mine.insert(nodes[i].name);
      }
      for (const runtime::WorkloadNode& n : nodes) {
        if (mine.count(n.name) == 0) continue;
        runtime::WorkloadNode copy = n;
        copy.after.clear();
        for (const std::string& a : n.after)
          if (mine.count(a) != 0) copy.after.push_back(a);
        chain.add(std::move(copy));
      }
      const double b = chain.critical_bound_path().bound.time_ns();
      total += b;
      slowest = std::max(slowest, b);
    }
    return total + static_cast<double>(shape.microbatches - 1) * slowest;
  }

  // A mixture's routing and what its all-to-alls took: the experts, the capacity each
  // rank's block for an expert holds, the busiest expert's load over the mean, and the
  // time the all-to-all nodes took in all (their sum over SIPs and layers).
  static nlohmann::ordered_json experts_report(const ModelConfig& model,
                                               const runtime::TransformerStep& step,
                                               const std::vector<runtime::NodeRun>& runs) {
    const runtime::ExpertRouting& routing = step.routing();
    double all_to_all = 0;
    const std::vector<runtime::WorkloadNode>& nodes = step.graph().nodes();
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const auto* op = std::get_if<runtime::CollectiveOp>(&nodes[i].operation);
      if (op != nullptr && op->kind == runtime::Collective::all_to_all)
        all_to_all += runs[i].done_ns - runs[i].issued_ns;
    }
    nlohmann::ordered_json e;
    e["routed"] = model.num_local_experts;
    e["per_token"] = model.num_experts_per_tok;
    e["shared"] = model.n_shared_experts;
    e["per_rank"] = routing.local();
    e["capacity"] = routing.capacity;
    e["buffer_rows"] = step.expert_buffers().rows();
    e["load"] = routing.load;
    e["load_imbalance"] = routing.imbalance();
    e["all_to_all_ns"] = all_to_all;
    return e;
  }

  static void report(const ModelConfig& model, const StepShape& shape,
                     const runtime::TransformerStep& step,
                     const std::vector<runtime::NodeRun>& runs, const runtime::StepWork& work,
                     const platform::Topology& topology, Outcome& out) {
    const runtime::WorkloadGraph& graph = step.graph();
    // A device-launched step begins when the host hands the graph over.
    const double step_ns = runtime::step_span_ns(runs, out.graph_load_ns);
    const runtime::Peaks peak = runtime::peaks_of(
        topology, static_cast<std::int64_t>(topology.cubes_per_sip() * topology.pes_per_cube()),
        model.dtype);
    const auto sips = static_cast<double>(shape.sips());
    // The critical path drops work that shares PEs with it; the whole step's work over the
    // machine's peaks holds the floor: every FLOP on the SIPs' MACs, every weight and KV
    // byte read from their HBM (where the lowering keeps both) at least once.
    // The chain's own terms stay, each a lower bound as part of it.
    runtime::Bound floor;
    floor.add("critical_path", out.bound.time_ns());
    for (const runtime::BoundTerm& t : out.bound.terms()) floor.add(t.name, t.ns);
    if (shape.pp > 1) floor.add("pipeline", pipeline_bound(step, shape));
    floor.add("step_flops", work.flops / (peak.flops_per_ns * sips));
    floor.add("step_hbm_bytes", (work.weight_bytes + work.kv_bytes) / (peak.bytes_per_ns * sips));
    out.bound_model = fmt::format("max of the {} (limiter {}) and the step's work over the peaks",
                                  out.bound_model, out.bound.limiter());
    out.bound = floor;
    nlohmann::ordered_json breakdown = nlohmann::ordered_json::object();
    const runtime::PathBreakdown path = runtime::critical_path_breakdown(graph, runs);
    for (const auto& [op, ns] : path.by_class) breakdown[runtime::to_string(op)] = ns;
    breakdown["launch"] = path.launch_ns + out.graph_load_ns;
    const bool prefill = shape.phase == Phase::prefill;
    nlohmann::ordered_json llm;
    llm["model"] = model.name;
    llm["weight_dtype"] = model.weight_dtype();
    if (model.weight_bits != 0) llm["quant_group"] = model.quant_group_size;
    llm["kv_dtype"] = model.kv_cache_dtype();
    llm["phase"] = runtime::to_string(shape.phase);
    llm["batch"] = shape.batch;
    llm["seq"] = shape.seq;
    llm["tp"] = shape.tp;
    llm["ep"] = shape.ep;
    llm["pp"] = shape.pp;
    llm["microbatches"] = shape.microbatches;
    if (shape.pp > 1) {
      const auto p = static_cast<double>(shape.pp), m = static_cast<double>(shape.microbatches);
      const Pipeline measured = pipeline(step, runs, shape);
      llm["bubble_fraction"] = measured.bubble;
      llm["bubble_formula"] = (p - 1) / (m + p - 1);
      // Stages of unequal times t_s: the first microbatch crosses every stage, the others
      // follow at the slowest one's pace: span sum(t) + (m - 1) max(t), work m sum(t).
      double sum = 0, slowest = 0;
      for (double t : measured.stage_ns) {
        sum += t;
        slowest = std::max(slowest, t);
      }
      llm["bubble_of_stage_times"] = 1 - m * sum / (p * (sum + (m - 1) * slowest));
      llm["stage_ns"] = measured.stage_ns;
    }
    if (model.moe()) llm["experts"] = experts_report(model, step, runs);
    llm["layers"] = shape.layers;
    llm["attention"] = runtime::to_string(shape.attention);
    llm["launch"] = runtime::to_string(shape.launch);
    llm["fusion"] = runtime::to_string(shape.fusion);
    llm["mapping_mode"] = runtime::to_string(shape.mapping);
    llm["nodes_per_layer"] = nodes_per_layer(graph, shape.microbatches);
    llm[prefill ? "ttft_ns" : "tpot_ns"] = step_ns;
    llm["tokens"] = shape.tokens();
    const runtime::ProjectionMap& map = step.projection_map();
    const SipMemory memory = sip_memory(model, shape, map, topology);
    llm["memory_per_sip"] = {
        {"weights_bytes", memory.weights},
        {"kv_cache_bytes", memory.cache},
        {"activation_bytes", memory.activations},
        {"free_bytes", memory.capacity - (memory.weights + memory.cache + memory.activations)}};
    llm["mapping"] = mapping_report(map);
    llm["tokens_per_s"] = static_cast<double>(shape.tokens()) / step_ns * 1e9;
    llm["mfu"] = work.flops / (step_ns * peak.flops_per_ns * sips);
    llm["mbu"] = (work.weight_bytes + work.kv_bytes) / (step_ns * peak.bytes_per_ns * sips);
    llm["breakdown"] = std::move(breakdown);
    llm["exposed_communication_ns"] = runtime::exposed_communication_ns(graph, runs);
    out.extra["llm"] = std::move(llm);
    out.units.declare("llm.batch", "", "sequences in the step");
    out.units.declare("llm.seq", "", "tokens per sequence (prefill) or its context (decode)");
    out.units.declare("llm.tp", "", "tensor-parallel SIPs per stage");
    out.units.declare("llm.ep", "", "expert-parallel ranks per stage");
    out.units.declare("llm.pp", "", "pipeline stages");
    out.units.declare("llm.microbatches", "", "parts of the batch through the stages");
    out.units.declare("llm.bubble_fraction", "",
                      "the stages' idle share of the pipeline's span (pp > 1)");
    out.units.declare("llm.bubble_formula", "",
                      "(pp - 1) / (microbatches + pp - 1): balanced stages' bubble");
    out.units.declare("llm.bubble_of_stage_times", "",
                      "the bubble of stages taking stage_ns each, transfers free");
    out.units.declare("llm.stage_ns", "ns", "each stage's busy time per microbatch");
    out.units.declare("llm.layers", "", "decoder layers run");
    out.units.declare("llm.experts.routed", "", "the mixture's routed experts");
    out.units.declare("llm.experts.per_token", "", "experts each token goes to");
    out.units.declare("llm.experts.shared", "", "experts every token goes through");
    out.units.declare("llm.experts.per_rank", "", "routed experts each expert-parallel rank holds");
    out.units.declare("llm.experts.capacity", "",
                      "rows each rank sends each expert per layer: the most any rank sends one");
    out.units.declare("llm.experts.buffer_rows", "",
                      "rows of each expert's dispatch buffer: every rank's capacity, padded");
    out.units.declare("llm.experts.load", "", "tokens each expert got, over layers and ranks");
    out.units.declare("llm.experts.load_imbalance", "", "the busiest expert's load over the mean");
    out.units.declare("llm.experts.all_to_all_ns", "ns",
                      "the dispatch and return all-to-alls' times, summed over SIPs and layers");
    out.units.declare(prefill ? "llm.ttft_ns" : "llm.tpot_ns", "ns",
                      prefill ? "time to first token: the prefill step" : "time per output token");
    out.units.declare("llm.tokens", "", "tokens the step produces or takes in");
    out.units.declare("llm.memory_per_sip.*", "B",
                      "HBM of each SIP: weights, KV cache, activations, and what is left free");
    out.units.declare("llm.tokens_per_s", "1/s", "the step's tokens over its time");
    out.units.declare("llm.mfu", "", "model FLOPs over the step's SIPs' peak");
    out.units.declare("llm.mbu", "", "weight and KV-cache bytes over the SIPs' peak bandwidth");
    out.units.declare("llm.breakdown.*", "ns",
                      "critical-path time by op class, and the launches' trips on it and the "
                      "graph's hand-off to the device (launch)");
    out.units.declare("llm.nodes_per_layer", "", "graph nodes of one layer on one SIP");
    out.units.declare("llm.mapping.*.bound_ns", "ns",
                      "an op class's part of a layer's bound under the chosen placement");
    out.units.declare("llm.mapping.*.considered.*.bound_ns", "ns",
                      "the same under each candidate placement, the other classes as chosen");
    out.units.declare("llm.exposed_communication_ns", "ns", "communication no other work hides");
  }

  // The device's hidden state against the host reference of the same layers: within
  // 2^-6 of the reference's largest magnitude per layer in f16 (2^-3 in bf16, 2^-18 in
  // f32), the drift of one rounding per stored tensor through a layer's chain, and at
  // least 1/127 with an int8 KV cache (docs/workloads.md). Then the LM head's results
  // (verify_head).
  static runtime::Verification verify(const ModelConfig& model, const StepShape& shape,
                                      const runtime::StepData& data, const runtime::HostTensor& got,
                                      const runtime::HostTensor& logits,
                                      const runtime::HostTensor& next) {
    const runtime::Tile want = runtime::reference_step(model, shape, data);
    const runtime::HostTensor ref = runtime::from_tile(want, {want.rows(), want.cols()});
    double magnitude = 0;
    for (double v : want.values()) magnitude = std::max(magnitude, std::abs(v));
    // An int8 cache rounds values the device computed: one an ulp from the reference's may
    // round to the next code, so each layer may differ by a code step too (1/127 of a row's
    // largest magnitude), more than f32's roundings allow.
    const double per_layer =
        std::max(64 * runtime::unit_roundoff(model.dtype), model.kv_int8() ? 1.0 / 127 : 0.0);
    const double tolerance =
        per_layer * static_cast<double>(shape.layers) * std::max(1.0, magnitude);
    const runtime::Verification v =
        runtime::compare(got, ref, [&](std::int64_t, std::int64_t) { return tolerance; });
    return v.ok ? verify_head(model, shape, data, want, tolerance, logits, next, v) : v;
  }

  // The logits: the hidden state's allowed error (`tolerance`), relative to each last token's
  // RMS, carried through the head's dot products (and their own rounding); the sampled
  // tokens: each is the first largest of the device's own logits, and the reference's choice
  // wherever the reference's best beats its runner-up by more than the tolerance. `want`: the
  // reference's hidden state, `v` its comparison, returned when the head passes too.
  static runtime::Verification verify_head(const ModelConfig& model, const StepShape& shape,
                                           const runtime::StepData& data, const runtime::Tile& want,
                                           double tolerance, const runtime::HostTensor& logits,
                                           const runtime::HostTensor& next,
                                           const runtime::Verification& v) {
    using runtime::element;
    const double u = runtime::unit_roundoff(model.dtype);
    runtime::Tile xf;
    const runtime::Tile want_logits = runtime::reference_logits(model, shape, data, want, &xf);
    const runtime::Tile& w = data.model.at("w_head");
    std::vector<double> relative;  // per row: the hidden state's error over its RMS, + u
    for (std::int64_t b = 0; b < shape.batch; ++b) {
      double squares = 0;
      const std::int64_t row = (b + 1) * shape.seq_q() - 1;
      for (std::int64_t c = 0; c < want.cols(); ++c) squares += want.at(row, c) * want.at(row, c);
      const double rms = std::sqrt(squares / static_cast<double>(want.cols()));
      relative.push_back(2 * tolerance / std::max(rms, 1e-30) + 2 * u);
    }
    auto logit_tolerance = [&](std::int64_t r, std::int64_t c) {
      double dot = 0;
      for (std::int64_t k = 0; k < xf.cols(); ++k) dot += std::abs(xf.at(r, k) * w.at(k, c));
      return relative[static_cast<std::size_t>(r)] * dot +
             2 * runtime::unit_roundoff(DType::f32) * std::abs(want_logits.at(r, c));
    };
    const runtime::Verification l = runtime::compare(
        logits, runtime::from_tile(want_logits, {want_logits.rows(), want_logits.cols()}),
        logit_tolerance);
    if (!l.ok) return {false, l.max_abs_err, "logits: " + l.first_failure};
    for (std::int64_t b = 0; b < shape.batch; ++b) {
      std::int64_t mine = 0, theirs = 0;
      for (std::int64_t c = 1; c < model.vocab_size; ++c) {
        if (element(logits, b, c) > element(logits, b, mine)) mine = c;
        if (want_logits.at(b, c) > want_logits.at(b, theirs)) theirs = c;
      }
      double runner_up = -INFINITY;
      for (std::int64_t c = 0; c < model.vocab_size; ++c)
        if (c != theirs) runner_up = std::max(runner_up, want_logits.at(b, c));
      const auto sampled = static_cast<std::int64_t>(element(next, b, 0));
      const bool clear = want_logits.at(b, theirs) - runner_up >
                         logit_tolerance(b, theirs) + logit_tolerance(b, mine);
      if (sampled != mine || (clear && sampled != theirs)) {
        return {false, v.max_abs_err,
                fmt::format("sequence {} sampled token {}: its largest logit is at {}, the "
                            "reference's at {}",
                            b, sampled, mine, theirs)};
      }
    }
    return v;
  }
};

}  // namespace

KB_REGISTER_BENCH(llm, std::make_unique<LlmBench>());

}  // namespace kb::bench

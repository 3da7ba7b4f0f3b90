// The chakra bench: a Chakra execution trace (one file per rank) replayed on the machine
// (docs/workload-traces.md): what ran, what it communicated, how long each rank took, and
// the communication that compute did not hide.
#include "testbenches/benches/bench.h"

#include "runtime/memory/virtual_allocator.h"
#include "runtime/trace/trace_workload.h"
#include "runtime/workload/executor.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace kb::bench {

using chakra::Action;

namespace {

class ChakraBench : public Bench {
 public:
  std::string name() const override { return "chakra"; }
  std::string description() const override {
    return "a Chakra execution trace (PREFIX.<rank>.et) replayed on the machine: per-rank "
           "finish times, communication, exposed communication";
  }
  std::vector<Param> params() const override {
    return {{"trace", "", "PREFIX of the files PREFIX.0.et, PREFIX.1.et, ... (required)"},
            {"ranks", "0", "run a single-rank trace on this many ranks (0: one per file)"},
            {"rank_unit", "sip", "what a rank is: sip, cube or pe"},
            {"comp", "duration", "device compute: duration (recorded) or model (from shapes)"},
            {"comp_scale", "1.0", "factor on recorded device compute durations"},
            {"cpu", "duration", "CPU-side ops: duration (host time) or skip"},
            {"algorithm", "ring", "all-reduce, all-gather, reduce-scatter and broadcast algorithm"},
            {"comm_groups", "",
             "an ASTRA-sim communicator-group file ({\"1\": [0, 1], ...}) naming the ranks of each "
             "pg_name; empty: a group is the ranks whose traces name it"}};
  }

  bool runs_workload() const override { return true; }

  Footprint check(const Params& params, const platform::Topology& topology) const override {
    Footprint f;
    auto planned = std::make_shared<chakra::TracePlan>(plan(params, topology));
    for (const chakra::TraceBuffer& b : chakra::trace_buffers(*planned, topology)) {
      f += check_placement(topology, b.name, b.shape, runtime::DType::f32, b.dp);
    }
    f.prepared = planned;  // the run replays this plan rather than reading the trace again
    const std::uint64_t address_space = runtime::VirtualAllocator::size_for(topology);
    if (f.device_bytes > address_space) {
      throw BenchUsageError(fmt::format(
          "--param trace={}: its buffers take {:.1f} GiB; the runtime's address space holds {} "
          "GiB (the largest comm_size or tensor_size sets them)",
          params.text("trace"), static_cast<double>(f.device_bytes) / (1ULL << 30),
          address_space >> 30));
    }
    return f;
  }

  void run(runtime::RuntimeContext& ctx, const Params& params, bool, Outcome& out) const override {
    // The trace's buffers live in a context of their own, left to the process's exit (as
    // the llm bench's devices): nothing is freed in simulated time after the measurement,
    // and --chakra-out can still read them.
    out.device_contexts.push_back(std::make_unique<runtime::RuntimeContext>(ctx.simulation()));
    chakra::TracePlan planned =
        out.prepared ? std::move(*std::static_pointer_cast<chakra::TracePlan>(out.prepared))
                     : plan(params, ctx.topology());
    out.prepared.reset();
    chakra::TraceWorkload work(std::move(planned), *out.device_contexts.back());
    const runtime::WorkloadGraph& graph = work.graph();
    const std::vector<runtime::NodeRun>& runs = run_workload(graph, work.devices(), out);
    record(work, runs, ctx.topology(), out);
    report(work, runs, out);
  }

 private:
  static chakra::TracePlan plan(const Params& params, const platform::Topology& topology) {
    chakra::ImportOptions o;
    const std::string unit = params.text("rank_unit"), comp = params.text("comp"),
                      cpu = params.text("cpu");
    if (unit != "sip" && unit != "cube" && unit != "pe") {
      throw BenchUsageError("--param rank_unit=" + unit + ": expected sip, cube or pe");
    }
    o.rank_unit = unit == "sip"    ? chakra::RankUnit::sip
                  : unit == "cube" ? chakra::RankUnit::cube
                                   : chakra::RankUnit::pe;
    if (comp != "duration" && comp != "model") {
      throw BenchUsageError("--param comp=" + comp + ": expected duration or model");
    }
    o.comp = comp == "model" ? chakra::CompTiming::model : chakra::CompTiming::duration;
    if (cpu != "duration" && cpu != "skip") {
      throw BenchUsageError("--param cpu=" + cpu + ": expected duration or skip");
    }
    o.cpu = cpu == "skip" ? chakra::CpuOps::skip : chakra::CpuOps::duration;
    o.comp_scale = params.real("comp_scale");
    o.algorithm = params.text("algorithm");
    if (!params.text("comm_groups").empty()) {
      try {
        o.comm_groups = chakra::load_comm_groups(params.text("comm_groups"));
      } catch (const chakra::TraceImportError& e) {
        throw BenchUsageError(fmt::format("--param comm_groups: {}", e.what()));
      }
    }
    if (params.text("trace").empty()) {
      throw BenchUsageError("--param trace=PREFIX is required (files PREFIX.<rank>.et)");
    }
    const std::int64_t ranks = params.count("ranks");
    // Before the trace is replicated that many times.
    const std::int64_t capacity = chakra::rank_capacity(topology, o.rank_unit);
    if (ranks > capacity) {
      throw BenchUsageError(fmt::format(
          "--param ranks={}: the machine has {} of rank_unit={} (raise system.sips.count with "
          "--set, or take a smaller --param rank_unit)",
          ranks, capacity, unit));
    }
    try {
      return chakra::plan_trace(chakra::read_rank_traces(params.text("trace"), ranks), o, topology);
    } catch (const chakra::TraceFileError& e) {
      throw BenchUsageError(e.what());
    } catch (const std::invalid_argument& e) {  // TraceImportError, GraphError
      throw BenchUsageError(fmt::format("--param trace={}: {}", params.text("trace"), e.what()));
    }
  }

  // Every node as a record from its issue to its end (the measured region is the trace's
  // span, launches included, as its bound counts them), and as a slice on its rank's track.
  static void record(const chakra::TraceWorkload& work, const std::vector<runtime::NodeRun>& runs,
                     const platform::Topology& topology, Outcome& out) {
    const auto& plan = work.plan();
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const chakra::PlannedNode& p = plan.nodes[i];
      const auto sip = chakra::rank_pes(topology, plan.options.rank_unit, p.rank).front().sip;
      out.kernels.push_back({p.name, sip, runs[i].issued_ns, runs[i].done_ns});
      out.spans.push_back({fmt::format("rank{}", p.rank), p.name, runtime::to_string(p.op_class),
                           runs[i].busy_begin_ns(), runs[i].busy_end_ns()});
    }
  }

  // The `chakra` figures, and each collective as a whole against its own bound; the run
  // spans every collective whole, so the longest one's bound holds for it too when it is
  // above the critical path's (where a rank's node owes only its own share).
  static void report(const chakra::TraceWorkload& work, const std::vector<runtime::NodeRun>& runs,
                     Outcome& out) {
    const chakra::TracePlan& plan = work.plan();
    double begin = INFINITY, comp_ns = 0;
    for (const runtime::NodeRun& r : runs) begin = std::min(begin, r.issued_ns);
    std::vector<double> finish(plan.ranks, 0.0);
    // Each collective as a whole: its ranks' nodes, first launch to last end.
    struct Instance {
      std::size_t first;  // rank 0's node
      double issued = INFINITY, done = 0;
    };
    std::map<std::pair<std::string, std::size_t>, Instance> instances;  // by group, ordinal
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const chakra::PlannedNode& p = plan.nodes[i];
      finish[p.rank] = std::max(finish[p.rank], runs[i].done_ns - begin);
      if (p.action == Action::busy) comp_ns += runs[i].busy_end_ns() - runs[i].busy_begin_ns();
      if (p.action == Action::collective) {
        Instance& c = instances.try_emplace({p.group, p.ordinal}, Instance{i}).first->second;
        c.issued = std::min(c.issued, runs[i].issued_ns);
        c.done = std::max(c.done, runs[i].done_ns);
      }
    }
    nlohmann::ordered_json collectives = nlohmann::ordered_json::array();
    for (const auto& [key, c] : instances) {
      const std::size_t ordinal = key.second;
      const chakra::PlannedNode& p = plan.nodes[c.first];
      const runtime::Bound whole = work.collective_bound(p);
      collectives.push_back({{"index", ordinal},
                             {"group", p.group.empty() ? "world" : p.group},
                             {"ranks", p.members.empty() ? plan.ranks : p.members.size()},
                             {"collective", runtime::to_string(p.collective)},
                             {"bytes", p.bytes},
                             {"ns", c.done - c.issued},
                             {"bound_ns", whole.time_ns()}});
      if (whole.time_ns() > out.bound.time_ns()) {
        out.bound = whole;
        out.bound_model =
            fmt::format("collective {} ({}{}) alone", ordinal + 1, runtime::to_string(p.collective),
                        p.group.empty() ? std::string() : ", group " + p.group);
      }
    }
    const chakra::TraceCounts& c = plan.counts;
    nlohmann::ordered_json j;
    j["ranks"] = plan.ranks;
    j["nodes"] = c.nodes;
    j["nodes_by_type"] = c.nodes_by_type;
    j["comm_bytes"] = c.comm_bytes;
    j["comp_ns"] = comp_ns;
    j["exposed_comm_ns"] = runtime::exposed_communication_ns(work.graph(), runs);
    j["dependencies"] = c.dependencies;
    j["missing_deps"] = c.missing_deps;
    j["missing_dep_ids"] = c.missing_dep_ids;
    j["ctrl_deps_dropped"] = c.ctrl_deps_dropped;
    j["finish_ns"] = finish;
    j["comp_modelled"] = c.comp_modelled;
    j["comp_recorded"] = c.comp_recorded;
    j["cpu_ops"] = c.cpu_ops;
    j["unsupported"] = c.unsupported;
    j["collectives"] = std::move(collectives);
    out.extra["chakra"] = std::move(j);
    for (const char* count :
         {"ranks", "nodes", "nodes_by_type.*", "dependencies", "missing_deps", "missing_dep_ids",
          "ctrl_deps_dropped", "comp_modelled", "comp_recorded", "cpu_ops", "unsupported"}) {
      out.units.declare(std::string("chakra.") + count, "", "nodes or ids of the trace so counted");
    }
    out.units.declare("chakra.comm_bytes", "B", "bytes the trace's communication nodes move");
    out.units.declare("chakra.comp_ns", "ns", "compute nodes' busy time, summed");
    out.units.declare("chakra.exposed_comm_ns", "ns", "communication no compute hides");
    out.units.declare("chakra.finish_ns.*", "ns", "when each rank finished");
    out.units.declare("chakra.collectives.*.bytes", "B", "the collective's size");
    out.units.declare("chakra.collectives.*.ns", "ns", "first launch to last end");
    out.units.declare("chakra.collectives.*.bound_ns", "ns", "its algorithm's bound");
  }
};

}  // namespace

KB_REGISTER_BENCH(chakra, std::make_unique<ChakraBench>());

}  // namespace kb::bench

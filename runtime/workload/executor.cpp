#include "runtime/workload/executor.h"

#include "models/common/overloaded.h"
#include "models/common/simulation_error.h"
#include "runtime/host/distributed.h"
#include "runtime/kernels/registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <memory>

namespace kb::runtime {

namespace {

double now_ns() { return sc_core::sc_time_stamp().to_seconds() * 1e9; }

constexpr int kNodeStackBytes = 1 << 18;

// [begin, end) intervals merged into disjoint ones, in order.
std::vector<std::pair<double, double>> merged(std::vector<std::pair<double, double>> spans) {
  std::sort(spans.begin(), spans.end());
  std::vector<std::pair<double, double>> out;
  for (const auto& s : spans) {
    if (s.second <= s.first) continue;
    if (!out.empty() && s.first <= out.back().second) {
      out.back().second = std::max(out.back().second, s.second);
    } else {
      out.push_back(s);
    }
  }
  return out;
}

std::vector<Handle> collective(const CollectiveOp& op, const std::string& name,
                               RuntimeContext& ctx) {
  Distributed group(ctx, op.groups, op.on, op.algorithm, op.members);
  auto out = [&]() -> const Tensor& {
    if (!op.out) {
      throw GraphError(
          fmt::format("node '{}': {} needs an output tensor", name, to_string(op.kind)));
    }
    return *op.out;
  };
  switch (op.kind) {
    case Collective::all_reduce: return group.all_reduce(op.tensor, ReduceOp::sum, name);
    case Collective::broadcast: return group.broadcast(op.tensor, 0, name);
    case Collective::all_gather: return group.all_gather(op.tensor, out(), name);
    case Collective::reduce_scatter:
      return group.reduce_scatter(op.tensor, out(), ReduceOp::sum, name);
    case Collective::all_to_all: return group.all_to_all(op.tensor, out(), name);
    case Collective::barrier: return group.barrier(name);
  }
  throw std::logic_error("unknown collective");
}

}  // namespace

double step_span_ns(const std::vector<NodeRun>& runs, double graph_load_ns) {
  double begin = INFINITY, end = 0;
  for (const NodeRun& r : runs) {
    begin = std::min(begin, r.issued_ns);
    end = std::max(end, r.done_ns);
  }
  return runs.empty() ? 0 : end - begin + graph_load_ns;
}

double NodeRun::busy_begin_ns() const {
  double begin = -1;
  for (const Handle& h : handles)
    for (const models::Completion& c : h.request->completions())
      for (const models::PeTiming& t : c.pes) {
        const double ns = static_cast<double>(t.started_ps) / 1000.0;
        begin = begin < 0 ? ns : std::min(begin, ns);
      }
  return begin < 0 ? issued_ns : begin;
}

double NodeRun::busy_end_ns() const {
  double end = -1;
  for (const Handle& h : handles)
    for (const models::Completion& c : h.request->completions())
      for (const models::PeTiming& t : c.pes)
        end = std::max(end, static_cast<double>(t.finished_ps) / 1000.0);
  return end < 0 ? done_ns : end;
}

void Executor::perform(const WorkloadNode& node, NodeRun& run) {
  RuntimeContext& ctx = *devices_[node.device];
  std::visit(models::Overloaded{
                 [&](const KernelOp& op) {
                   const KernelFn& fn = kernel_registry().get(op.kernel).fn;
                   run.handles =
                       op.on ? ctx.launch(node.name, fn, op.args, Launch::on_pes(*op.on, false))
                             : ctx.launch(node.name, fn, op.args, Launch::deferred());
                   for (const Handle& h : run.handles) ctx.wait(h);
                 },
                 [&](const CollectiveOp& op) { run.handles = collective(op, node.name, ctx); },
                 [&](const HostCopyOp& op) { ctx.copy_(op.target, op.source); },
                 [&](const DelayOp& op) { sc_core::wait(op.ns, sc_core::SC_NS); },
             },
             node.operation);
}

std::vector<NodeRun> Executor::run(const WorkloadGraph& graph) {
  const auto deps = graph.dependencies();
  const auto& nodes = graph.nodes();
  for (const WorkloadNode& n : nodes) {
    if (n.device >= devices_.size()) {
      throw GraphError(fmt::format("node '{}' runs on device {}; the executor has {}", n.name,
                                   n.device, devices_.size()));
    }
  }
  // The contexts launch from the host again after the graph, whatever ends it.
  struct HostAgain {
    const std::vector<RuntimeContext*>& devices;
    ~HostAgain() {
      for (RuntimeContext* ctx : devices) ctx->set_launch_mode(LaunchMode::host);
    }
  } host_again{devices_};
  const double load_begin = now_ns();
  if (mode_ != LaunchMode::host) {
    // Each context's nodes (a context may serve several devices), in device order, and
    // every context's graph handed over at once.
    std::vector<std::pair<RuntimeContext*, std::uint64_t>> nodes_of;
    for (const WorkloadNode& n : nodes) {
      RuntimeContext* ctx = devices_[n.device];
      auto it = std::find_if(nodes_of.begin(), nodes_of.end(),
                             [&](const auto& c) { return c.first == ctx; });
      if (it == nodes_of.end()) it = nodes_of.insert(nodes_of.end(), {ctx, 0});
      ++it->second;
    }
    std::vector<std::pair<RuntimeContext*, Handle>> loads;
    for (const auto& [ctx, count] : nodes_of) {
      for (Handle& h : ctx->load_graph(count)) loads.emplace_back(ctx, std::move(h));
      ctx->set_launch_mode(mode_);
    }
    for (const auto& [ctx, h] : loads) ctx->wait(h);
  }
  graph_load_ns_ = now_ns() - load_begin;
  std::vector<std::vector<std::size_t>> dependents(nodes.size());
  std::vector<std::size_t> waiting(nodes.size());
  std::deque<std::size_t> ready;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    waiting[i] = deps[i].size();
    for (std::size_t d : deps[i]) dependents[d].push_back(i);
    if (waiting[i] == 0) ready.push_back(i);
  }
  std::vector<NodeRun> runs(nodes.size());
  std::vector<std::size_t> ended;  // since the dispatcher last looked
  sc_core::sc_event progress;
  std::size_t finished = 0;
  // Nodes run on worker processes that take another node when theirs ends: a process per
  // node allocated, touched and freed a stack per node (a trace's replay has thousands),
  // and named each. A ready node goes to the worker idle last, else to a new one; either
  // is made runnable now, as a spawned process is, in the order the nodes are ready.
  struct Worker {
    sc_core::sc_event wake;
    std::size_t node = 0;
    bool stop = false;  // the run is over: return
  };
  std::vector<std::shared_ptr<Worker>> idle;  // every worker, once every node has ended
  sc_core::sc_spawn_options options;
  options.set_stack_size(kNodeStackBytes);
  auto start = [&](std::size_t i) {
    runs[i].issued_ns = now_ns();
    if (!idle.empty()) {
      idle.back()->node = i;
      idle.back()->wake.notify();
      idle.pop_back();
      return;
    }
    auto w = std::make_shared<Worker>();
    w->node = i;
    // The worker reads this run's state only while it has a node: once stopped it touches
    // nothing but its own (shared) state.
    sc_core::sc_spawn(
        [this, &nodes, &runs, &ended, &progress, &idle, w] {
          models::run_guarded([&] {
            for (;;) {
              perform(nodes[w->node], runs[w->node]);
              runs[w->node].done_ns = now_ns();
              ended.push_back(w->node);
              progress.notify(sc_core::SC_ZERO_TIME);
              idle.push_back(w);
              sc_core::wait(w->wake);
              if (w->stop) return;
            }
          });
        },
        sc_core::sc_gen_unique_name("node"), &options);
  };
  while (finished < nodes.size()) {
    for (; !ready.empty(); ready.pop_front()) start(ready.front());
    sc_core::wait(progress);
    // Newly ready nodes go in graph order, whatever order their dependencies ended in.
    std::vector<std::size_t> released;
    for (std::size_t i : ended) {
      ++finished;
      for (std::size_t d : dependents[i]) {
        if (--waiting[d] == 0) released.push_back(d);
      }
    }
    ended.clear();
    std::sort(released.begin(), released.end());
    ready.insert(ready.end(), released.begin(), released.end());
  }
  for (const std::shared_ptr<Worker>& w : idle) {
    w->stop = true;
    w->wake.notify();
  }
  return runs;
}

double NodeRun::launch_trips_ns() const {
  double arrived = -1;
  for (const Handle& h : handles)
    for (const models::Completion& c : h.request->completions()) {
      const double ns = static_cast<double>(c.arrived_ps) / 1000.0;
      if (!c.pes.empty()) arrived = arrived < 0 ? ns : std::min(arrived, ns);
    }
  return arrived < 0 ? 0.0 : (arrived - issued_ns) + (done_ns - busy_end_ns());
}

PathBreakdown critical_path_breakdown(const WorkloadGraph& graph,
                                      const std::vector<NodeRun>& runs) {
  PathBreakdown path;
  if (runs.empty()) return path;
  const auto deps = graph.dependencies();
  auto last_of = [&](const std::vector<std::size_t>& candidates) {
    return *std::max_element(
        candidates.begin(), candidates.end(), [&](std::size_t a, std::size_t b) {
          return runs[a].done_ns < runs[b].done_ns || (runs[a].done_ns == runs[b].done_ns && a > b);
        });
  };
  std::vector<std::size_t> all(runs.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  for (std::size_t at = last_of(all);;) {
    const double launch = runs[at].launch_trips_ns();
    path.by_class[graph.nodes()[at].op_class] += runs[at].done_ns - runs[at].issued_ns - launch;
    path.launch_ns += launch;
    if (deps[at].empty()) break;
    at = last_of(deps[at]);
  }
  return path;
}

double exposed_communication_ns(const WorkloadGraph& graph, const std::vector<NodeRun>& runs) {
  std::vector<std::pair<double, double>> comm, other;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    auto& into = graph.nodes()[i].op_class == OpClass::communication ? comm : other;
    into.emplace_back(runs[i].busy_begin_ns(), runs[i].busy_end_ns());
  }
  double exposed = 0;
  const auto busy = merged(other);
  for (const auto& [begin, end] : merged(comm)) {
    double hidden = 0;
    for (const auto& [b, e] : busy) hidden += std::max(0.0, std::min(end, e) - std::max(begin, b));
    exposed += end - begin - hidden;
  }
  return exposed;
}

}  // namespace kb::runtime

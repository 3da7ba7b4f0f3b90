#include "runtime/trace/trace_workload.h"

#include "runtime/bound/peaks.h"
#include "runtime/ccl/algorithm.h"
#include "runtime/ccl/ccl_config.h"
#include "runtime/ccl/collective_fabric.h"

#include <fmt/format.h>

#include <set>

namespace kb::chakra {

using runtime::Bound;
using runtime::Collective;

namespace {

// The first SIPs, cubes and PEs that hold the ranks' PEs, one buffer row each.
runtime::DPPolicy coverage(const platform::Topology& t, RankUnit unit, std::int64_t ranks) {
  const auto C = static_cast<std::int64_t>(t.cubes_per_sip());
  const auto P = static_cast<std::int64_t>(t.pes_per_cube());
  auto up = [](std::int64_t a, std::int64_t b) { return (a + b - 1) / b; };
  std::int64_t sips = ranks, cubes = C, pes = P;
  if (unit == RankUnit::cube) {
    sips = up(ranks, C);
    cubes = ranks < C ? ranks : C;
  } else if (unit == RankUnit::pe) {
    sips = up(ranks, C * P);
    cubes = ranks < C * P ? up(ranks, P) : C;
    pes = ranks < P ? ranks : P;
  }
  using runtime::Split;
  return runtime::DPPolicy(Split::row_wise, Split::row_wise, Split::row_wise, sips, cubes, pes);
}

std::int64_t rows_of(const runtime::DPPolicy& dp) {
  return *dp.num_sips * *dp.num_cubes * *dp.num_pes;
}

}  // namespace

std::vector<TraceBuffer> trace_buffers(const TracePlan& plan, const platform::Topology& t) {
  const runtime::DPPolicy dp = coverage(t, plan.options.rank_unit, plan.ranks);
  const std::int64_t rows = rows_of(dp);
  std::vector<TraceBuffer> out;
  for (const auto& [cols, count] : plan.buffers) {
    for (int slot = 0; slot < count; ++slot) {
      out.push_back(
          {fmt::format("trace_buffer_{}x{}_{}", rows, cols, slot), {rows, cols}, dp, cols, slot});
    }
  }
  return out;
}

TraceWorkload::TraceWorkload(TracePlan plan, runtime::RuntimeContext& ctx)
    : plan_(std::move(plan)), ctx_(ctx) {
  const platform::Topology& t = ctx.topology();
  const RankUnit unit = plan_.options.rank_unit;
  for (const TraceBuffer& b : trace_buffers(plan_, t)) {
    buffers_.emplace(std::pair{b.cols, b.slot},
                     ctx.empty(b.shape, runtime::DType::f32, b.dp, b.name));
  }
  if (plan_.communicates) {
    // Group p: the p-th PE of every rank, in rank order.
    std::vector<std::vector<runtime::PeCoord>> groups(static_cast<std::size_t>(plan_.pes_per_rank));
    for (std::uint32_t r = 0; r < plan_.ranks; ++r) {
      const auto pes = rank_pes(t, unit, r);
      for (std::size_t p = 0; p < pes.size(); ++p) groups[p].push_back(pes[p]);
    }
    const std::string exchange = exchange_algorithm(plan_.ranks);
    if (exchange == "pairwise") {
      groups_ = std::make_shared<const runtime::ProcessGroups>(
          ctx.install_process_groups("pairwise", "", groups));
    } else {
      // No full mesh: the chosen algorithm's queues and the exchange's, and for every
      // communicator group and every pair that sends, what they exchange over.
      runtime::CclAlgorithmConfig chosen =
          runtime::default_ccl_config().resolve(plan_.options.algorithm);
      for (const Collective kind : {Collective::all_to_all, Collective::barrier})
        chosen.tuning[kind] = {runtime::TuningRule{std::nullopt, exchange}};
      std::set<std::vector<std::uint32_t>> connect;
      for (const PlannedNode& p : plan_.nodes) {
        if (!p.members.empty()) connect.insert(p.members);
        if (p.action == Action::send) connect.insert({p.rank, p.peer});
      }
      groups_ = std::make_shared<const runtime::ProcessGroups>(
          ctx.install_process_groups(chosen, groups, {connect.begin(), connect.end()}));
    }
    // Each algorithm's bounds see the pairs it exchanges between, not every queue.
    for (const std::string& name : {exchange, plan_.options.algorithm}) {
      const runtime::CclAlgorithm& a = runtime::ccl_algorithm(name);
      runtime::IpcqPlan mine = groups_->plans().front();
      for (std::uint32_t r = 0; r < mine.world_size; ++r) {
        mine.neighbours[r] = a.neighbours(r, mine);
      }
      fabric_.emplace(name, runtime::collective_fabric(t, mine));
    }
  }
  std::vector<runtime::PeScope> scopes;
  for (std::uint32_t r = 0; r < plan_.ranks; ++r)
    scopes.push_back(runtime::PeScope::of(rank_pes(t, unit, r)));
  for (const PlannedNode& p : plan_.nodes) {
    runtime::WorkloadNode n;
    n.name = p.name;
    n.op_class = p.op_class;
    n.layer = p.layer;
    n.device = p.rank;
    for (std::size_t d : p.after) n.after.push_back(plan_.nodes[d].name);
    const runtime::PeScope& on = scopes[p.rank];
    switch (p.action) {
      case Action::busy:
        n.operation =
            runtime::KernelOp{"busy", {static_cast<std::int64_t>(std::llround(p.ns * 1e3))}, on};
        break;
      case Action::host: n.operation = runtime::DelayOp{p.ns}; break;
      case Action::nothing: n.operation = runtime::DelayOp{0}; break;
      case Action::collective: {
        runtime::CollectiveOp op;
        op.kind = p.collective;
        op.groups = groups_;
        op.on = on;
        op.algorithm = algorithm_for(p.collective, plan_.options, plan_.ranks);
        op.members = p.members;
        if (p.collective != Collective::barrier) {
          op.tensor = buffer(p.in_cols, 0);
          op.out = buffer(p.out_cols, p.collective == Collective::all_to_all ? 1 : 0);
        }
        n.operation = std::move(op);
        break;
      }
      case Action::send:
      case Action::recv:
        n.operation = runtime::KernelOp{p.action == Action::send ? "send_block" : "recv_block",
                                        {buffer(p.in_cols, 0), static_cast<std::int64_t>(p.peer)},
                                        on};
        break;
      case Action::load:
      case Action::store:
        n.operation = runtime::KernelOp{
            p.action == Action::load ? "hbm_load" : "hbm_store", {buffer(p.in_cols, 0)}, on};
        break;
    }
    n.bound = bound_of(p, t);
    graph_.add(std::move(n));
  }
}

std::vector<runtime::RuntimeContext*> TraceWorkload::devices() const {
  return std::vector<runtime::RuntimeContext*>(plan_.ranks, &ctx_);
}

const runtime::Tensor& TraceWorkload::buffer(std::int64_t cols, int slot) const {
  return buffers_.at({cols, slot});
}

// The k-th collective of every rank of its group together, from the first rank's launch to
// the last rank's end: its algorithm's alpha-beta bound and further terms over the fabric
// between the ranks it exchanges with, and for ranks that are whole SIPs the bus bytes of
// each SIP's whole buffer over its inter-SIP links; after a launch's round trip.
Bound TraceWorkload::collective_bound(const PlannedNode& p) const {
  const platform::Topology& t = ctx_.topology();
  const std::string algorithm = algorithm_for(p.collective, plan_.options, plan_.ranks);
  const runtime::CclAlgorithm& a = runtime::ccl_algorithm(algorithm);
  // A group's fabric: the pairs its algorithm exchanges between among its members.
  runtime::CollectiveFabric group_fabric;
  if (!p.members.empty()) {
    runtime::IpcqPlan mine = runtime::subgroup(groups_->plans().front(), p.members);
    for (std::uint32_t r = 0; r < mine.world_size; ++r) mine.neighbours[r] = a.neighbours(r, mine);
    group_fabric = runtime::collective_fabric(t, mine);
  }
  const runtime::CollectiveFabric& f = p.members.empty() ? fabric_.at(algorithm) : group_fabric;
  const auto ranks = p.members.empty() ? plan_.ranks : static_cast<std::uint32_t>(p.members.size());
  const double bytes = (p.collective == Collective::all_gather ? static_cast<double>(p.out_cols)
                        : p.collective == Collective::barrier  ? 1.0
                                                               : static_cast<double>(p.in_cols)) *
                       4;
  Bound b;
  b.add("alpha_beta", a.bound_ns(p.collective, bytes, f));
  b.add(a.extra_terms(p.collective, bytes, f));
  if (plan_.options.rank_unit == RankUnit::sip) {
    b.add("inter_sip_egress",
          runtime::inter_sip_egress_ns(t, p.collective,
                                       bytes * static_cast<double>(plan_.pes_per_rank), ranks));
  }
  return runtime::launched(t, b);
}

// Each node's lower bound alone: what it was given to take (busy, host time), what its
// rank must do of a collective, or its bytes over the narrowest of the ports and paths
// they cross; after the launch's round trip for nodes that launch.
Bound TraceWorkload::bound_of(const PlannedNode& p, const platform::Topology& t) const {
  Bound b;
  const double per_pe_bytes = static_cast<double>(p.in_cols) * 4;
  const double port = t.cube.router.bw_gbps;
  switch (p.action) {
    case Action::nothing: return b;
    case Action::host: b.add("host", p.ns); return b;
    case Action::busy: b.add("busy", p.ns); break;
    case Action::collective: {
      // What each rank must do whatever the others do (it may finish before them): receive
      // (or, broadcast's root, send) its least share of the data through its PE's port,
      // and hear from at least its nearest peer. The whole collective's bound, which only
      // the last rank to finish must meet, is collective_bound().
      const double W = plan_.ranks;
      const double in = per_pe_bytes, out = static_cast<double>(p.out_cols) * 4;
      const double least = p.collective == Collective::all_gather       ? (W - 1) / W * out
                           : p.collective == Collective::reduce_scatter ? out
                           : p.collective == Collective::broadcast      ? in
                           : p.collective == Collective::barrier        ? 0.0
                                                                        : (W - 1) / W * in;
      b.add("pe_port", least / port);
      b.add("latency",
            fabric_.at(algorithm_for(p.collective, plan_.options, plan_.ranks)).nearest_alpha_ns);
      break;
    }
    case Action::send: b.add("pe_port", per_pe_bytes / port); break;
    case Action::recv: {
      const auto me = rank_pes(t, plan_.options.rank_unit, p.rank).front();
      const auto peer = rank_pes(t, plan_.options.rank_unit, p.peer).front();
      const runtime::FabricPath path = runtime::fabric_path(t, peer, me);
      b.add("alpha_beta", path.alpha_ns + per_pe_bytes / std::min(path.beta_gbps, port));
      break;
    }
    case Action::load:
    case Action::store:
      b.add("hbm", per_pe_bytes * static_cast<double>(plan_.pes_per_rank) /
                       runtime::peaks_of(t, plan_.pes_per_rank, runtime::DType::f32).bytes_per_ns);
      break;
  }
  return runtime::launched(t, b);
}

}  // namespace kb::chakra

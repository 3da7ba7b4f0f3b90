#include "runtime/trace/trace_export.h"

#include "models/common/overloaded.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace kb::chakra {

namespace {

int comm_type_of(runtime::Collective c) {
  switch (c) {
    case runtime::Collective::all_reduce: return kAllReduce;
    case runtime::Collective::reduce_scatter: return kReduceScatter;
    case runtime::Collective::all_gather: return kAllGather;
    case runtime::Collective::broadcast: return kBroadcast;
    case runtime::Collective::all_to_all: return kAllToAll;
    case runtime::Collective::barrier: return kBarrier;
  }
  return kAllReduce;
}

// The bytes of `t` on the PEs of `on` (all of its distinct blocks without one).
std::uint64_t bytes_on(const runtime::Tensor& t, const std::optional<runtime::PeScope>& on) {
  std::uint64_t bytes = 0;
  std::set<std::uint64_t> seen;  // replicas share a virtual range
  for (const runtime::DeviceShard& s : t.shards()) {
    if (on) {
      const auto cubes = on->cubes.find(s.sip);
      if (cubes == on->cubes.end() || cubes->second.count(s.cube) == 0 ||
          std::find(on->pes.begin(), on->pes.end(), s.pe) == on->pes.end()) {
        continue;
      }
    }
    if (seen.insert(s.block).second) bytes += s.nbytes;
  }
  return bytes;
}

// Kernels that stand for trace nodes (runtime/kernels/trace_blocks.h) are those nodes
// again; any other kernel is compute.
void describe_kernel(const runtime::KernelOp& op, Node& n) {
  n.type = kCompNode;
  const bool memory = op.kernel == "hbm_load" || op.kernel == "hbm_store";
  const bool transfer = op.kernel == "send_block" || op.kernel == "recv_block";
  if (!memory && !transfer) return;
  const auto& tensor = std::get<runtime::Tensor>(op.args.at(0).value());
  const std::uint64_t bytes = bytes_on(tensor, op.on);
  if (memory) {
    n.type = op.kernel == "hbm_load" ? kMemLoadNode : kMemStoreNode;
    n.tensor_size = bytes;
    return;
  }
  const auto peer = static_cast<std::uint32_t>(std::get<runtime::Scalar>(op.args.at(1).value()).i);
  n.type = op.kernel == "send_block" ? kCommSendNode : kCommRecvNode;
  (n.type == kCommSendNode ? n.comm_dst : n.comm_src) = peer;
  n.comm_size = bytes;
}

std::uint64_t micros(double ns) { return static_cast<std::uint64_t>(std::llround(ns / 1e3)); }

}  // namespace

ExportedTraces export_traces(const runtime::WorkloadGraph& graph,
                             const std::vector<runtime::NodeRun>& runs) {
  ExportedTraces out;
  const auto& nodes = graph.nodes();
  const auto deps = graph.dependencies();
  std::uint32_t devices = 0;
  for (const runtime::WorkloadNode& n : nodes) devices = std::max(devices, n.device + 1);
  out.ranks.resize(devices);
  for (Trace& t : out.ranks) {
    t.version = "0.0.4";
    // The step's independent nodes ran side by side: a replay keeps them independent.
    t.compute_by_dependencies = true;
  }
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const runtime::WorkloadNode& w = nodes[i];
    Node n;
    n.id = i;
    n.name = w.name;
    n.op_class = runtime::to_string(w.op_class);
    if (!w.layer.empty()) n.layer = w.layer;
    if (i < runs.size()) {
      // A node's own time: its kernels' span (first PE start to last PE end), without the
      // launch's trips that a replay pays again; issued to done for nodes without kernels.
      n.start_time_micros = micros(runs[i].busy_begin_ns());
      const double ns = runs[i].busy_end_ns() - runs[i].busy_begin_ns();
      n.duration_micros = micros(ns);
      n.duration_ps = static_cast<std::uint64_t>(std::llround(ns * 1e3));
    }
    for (std::size_t d : deps[i]) {
      if (nodes[d].device == w.device) {
        n.data_deps.push_back(d);
        ++out.dependencies;
      } else {
        ++out.dropped_dependencies;
      }
    }
    std::visit(models::Overloaded{
                   [&](const runtime::KernelOp& op) { describe_kernel(op, n); },
                   [&](const runtime::CollectiveOp& op) {
                     n.type = kCommCollNode;
                     n.comm_type = comm_type_of(op.kind);
                     // An all-gather's comm_size is each rank's part (its input), as
                     // ASTRA-sim and the replay read it.
                     if (op.kind != runtime::Collective::barrier) {
                       n.comm_size = bytes_on(op.tensor, op.on);
                     }
                   },
                   [&](const runtime::HostCopyOp& op) {
                     n.type = kMemLoadNode;
                     n.tensor_size = bytes_on(op.target, std::nullopt);
                   },
                   [&](const runtime::DelayOp&) {
                     n.type = kCompNode;
                     n.is_cpu_op = true;
                   },
               },
               w.operation);
    out.ranks[w.device].nodes.push_back(std::move(n));
    ++out.nodes;
  }
  return out;
}

}  // namespace kb::chakra

#pragma once
// A planned trace (trace_plan.h) made real on the machine: the ranks' buffers allocated,
// their queues installed (every rank's PE p with the PE p of every other rank, pairwise,
// so that any collective algorithm and any point-to-point transfer finds its queue), and a
// workload graph whose node i is the plan's node i, run by the workload executor.

#include "runtime/ccl/collective_fabric.h"
#include "runtime/context/runtime_context.h"
#include "runtime/trace/trace_plan.h"
#include "runtime/workload/graph.h"

#include <memory>

namespace kb::chakra {

class TraceWorkload {
 public:
  // Allocates and installs through `ctx` (a context of every SIP); call from a host thread.
  TraceWorkload(TracePlan plan, runtime::RuntimeContext& ctx);

  const TracePlan& plan() const { return plan_; }
  const runtime::WorkloadGraph& graph() const { return graph_; }
  // The executor's devices: every rank runs through the same context.
  std::vector<runtime::RuntimeContext*> devices() const;
  // A lower bound on a collective as a whole (one of its ranks' nodes given): from the
  // first rank's launch to the last rank's end. Each node's own bound (graph()) is what
  // its rank alone must take.
  runtime::Bound collective_bound(const PlannedNode& p) const;

 private:
  const runtime::Tensor& buffer(std::int64_t cols, int slot) const;
  runtime::Bound bound_of(const PlannedNode& p, const platform::Topology& t) const;

  TracePlan plan_;
  runtime::RuntimeContext& ctx_;
  std::map<std::pair<std::int64_t, int>, runtime::Tensor> buffers_;
  std::shared_ptr<const runtime::ProcessGroups> groups_;
  std::map<std::string, runtime::CollectiveFabric> fabric_;  // by algorithm
  runtime::WorkloadGraph graph_;
};

// The tensors a plan's nodes work on: per width, one row per PE over the ranks' PEs, and a
// second where a node needs input and output apart.
struct TraceBuffer {
  std::string name;
  std::vector<std::int64_t> shape;
  runtime::DPPolicy dp;
  std::int64_t cols = 0;
  int slot = 0;
};
std::vector<TraceBuffer> trace_buffers(const TracePlan& plan, const platform::Topology& t);

}  // namespace kb::chakra

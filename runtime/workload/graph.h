#pragma once
// A workload as a graph (docs/workloads.md): nodes are kernel launches, collectives, host copies
// and fixed delays, each with a name, an op class, a layer tag and the device (SIP) it runs
// on, joined by dependencies. Front ends build graphs (the transformer lowering, trace
// readers); the executor (executor.h) runs them.

#include "runtime/bound/bound.h"
#include "runtime/ccl/process_groups.h"
#include "runtime/ccl/rank_comm.h"
#include "runtime/context/runtime_context.h"
#include "runtime/kernel/bound_kernel.h"
#include "runtime/tensor/host_tensor.h"
#include "runtime/tensor/tensor.h"

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

namespace kb::runtime {

enum class OpClass { gemm, attention, norm, elementwise, communication, copy, other };
const char* to_string(OpClass op);
std::optional<OpClass> parse_op_class(std::string_view name);
std::vector<OpClass> all_op_classes();

// A registered kernel (kernel_registry()) launched on the PEs its tensors cover, or on
// the PEs of `on`.
struct KernelOp {
  std::string kernel;
  std::vector<LaunchArg> args;
  std::optional<PeScope> on = std::nullopt;
};
// A collective over installed process groups, on the PEs of `tensor` or of `on`: in place
// (all_reduce, broadcast from rank 0), into `out` (all_gather, reduce_scatter, all_to_all),
// or on no tensor (barrier; `tensor` unused).
struct CollectiveOp {
  Collective kind = Collective::all_reduce;
  Tensor tensor;
  std::shared_ptr<const ProcessGroups> groups;
  std::optional<Tensor> out = std::nullopt;
  std::optional<PeScope> on = std::nullopt;
  std::string algorithm = {};  // "" = the groups' own (Distributed's constructor)
  // A communicator group: these ranks of each installed group (empty: all of them).
  std::vector<std::uint32_t> members = {};
};
// Host to device: `source` copied into `target`.
struct HostCopyOp {
  Tensor target;
  HostTensor source;
};
// A fixed delay in simulated time (work the model does not simulate).
struct DelayOp {
  double ns = 0;
};
using Operation = std::variant<KernelOp, CollectiveOp, HostCopyOp, DelayOp>;

struct WorkloadNode {
  std::string name;  // unique in the graph
  OpClass op_class = OpClass::other;
  std::string layer;               // a tag: "L3", "head"...
  std::uint32_t device = 0;        // which of the executor's contexts runs it
  std::vector<std::string> after;  // the nodes it depends on, by name
  Operation operation;
  Bound bound;       // a lower bound on the node's time alone
  double flops = 0;  // useful arithmetic, for MFU
  double bytes = 0;  // bytes it must move from memory (weights, KV cache), for MBU
};

// A graph that cannot run: a dependency on no node, a cycle, a duplicate name.
class GraphError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// An order in which node i comes after each of deps[i] (insertion order where free), as
// WorkloadGraph::topological_order() gives it; for a graph held by index. Throws GraphError
// naming the nodes of a cycle by `name`.
std::vector<std::size_t> topological_order(
    const std::vector<std::vector<std::size_t>>& deps,
    const std::function<const std::string&(std::size_t)>& name);

class WorkloadGraph {
 public:
  // Throws GraphError when the name is taken.
  void add(WorkloadNode node);
  const std::vector<WorkloadNode>& nodes() const { return nodes_; }
  std::size_t index_of(const std::string& name) const;  // throws GraphError

  // Each node's dependencies by index; throws GraphError naming a missing dependency or
  // the nodes of a cycle.
  std::vector<std::vector<std::size_t>> dependencies() const;
  // An order in which every node comes after its dependencies (insertion order where free).
  std::vector<std::size_t> topological_order() const;

  struct Path {
    std::vector<std::size_t> nodes;  // first to last
    Bound bound;                     // Bound::serial of their bounds
  };
  // The chain of dependent nodes whose bounds add up to the most: a lower bound on the
  // graph's time, as no node can start before its dependencies end.
  Path critical_bound_path() const;

 private:
  std::vector<std::vector<std::size_t>> resolved() const;  // by index; no cycle check
  // The nodes' names by index, for the cycles the index functions report.
  std::function<const std::string&(std::size_t)> names() const {
    return [this](std::size_t i) -> const std::string& { return nodes_[i].name; };
  }
  std::vector<WorkloadNode> nodes_;
  std::unordered_map<std::string, std::size_t> by_name_;  // looked up per dependency
};

}  // namespace kb::runtime

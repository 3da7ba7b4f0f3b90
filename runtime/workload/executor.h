#pragma once
// Runs a workload graph on the machine (docs/workloads.md): a node is issued as soon as every node
// it depends on is done, each in a host thread of its own, so independent nodes are in
// flight together; the hardware decides how far they overlap (a PE runs one kernel at a
// time, in issue order, while transfers and queues proceed alongside). Nodes that become
// ready together are issued in graph order, so runs are deterministic.

#include "runtime/context/runtime_context.h"
#include "runtime/workload/graph.h"

namespace kb::runtime {

// What happened to one node.
struct NodeRun {
  double issued_ns = 0;  // its last dependency ended
  double done_ns = 0;
  std::vector<Handle> handles;  // its kernel launches (PE timings in their completions)
  // The span its PEs were busy with it (first start to last end); issued..done for nodes
  // without kernels (host copies, delays).
  double busy_begin_ns() const;
  double busy_end_ns() const;
  // The trips of its launches: from its issue to the first M_CPU it reached, and from its
  // last PE's end to its done (0 for nodes without kernels).
  double launch_trips_ns() const;
};

// A run's span: the first node's issue to the last node's end, plus the graph's hand-off
// before it when the device launched it (Executor::graph_load_ns); 0 without nodes.
double step_span_ns(const std::vector<NodeRun>& runs, double graph_load_ns);

class Executor {
 public:
  // Device d's nodes run on `devices[d]`, their kernels launched as `mode` says: by the
  // host, or (graph, persistent) by each SIP's graph dispatcher once the graph has been
  // handed to every device (one GraphLoad per SIP before the first node).
  explicit Executor(std::vector<RuntimeContext*> devices, LaunchMode mode = LaunchMode::host)
      : devices_(std::move(devices)), mode_(mode) {}

  // Runs `graph` to the end; call from a host thread. Throws GraphError before anything is
  // issued when the graph cannot run (a missing dependency, a cycle, an unknown device).
  std::vector<NodeRun> run(const WorkloadGraph& graph);
  // How long the last run took to hand its graph to the devices before its first node was
  // issued (0 when the host launches).
  double graph_load_ns() const { return graph_load_ns_; }

 private:
  void perform(const WorkloadNode& node, NodeRun& run);
  std::vector<RuntimeContext*> devices_;
  LaunchMode mode_;
  double graph_load_ns_ = 0;
};

// The time each op class spent on the measured critical path: from the node that ended
// last, back through the dependency that ended last, each node's issued..done counted to
// its class, but for the trips of its kernel launches (host to the first M_CPU it reached,
// and from its last PE's end back to the host), counted as launch. The values add up to
// the graph's span from its first issue.
struct PathBreakdown {
  std::map<OpClass, double> by_class;
  double launch_ns = 0;
};
PathBreakdown critical_path_breakdown(const WorkloadGraph& graph, const std::vector<NodeRun>& runs);

// Time when communication nodes kept PEs busy and no other node did: the communication
// that overlapping with compute did not hide.
double exposed_communication_ns(const WorkloadGraph& graph, const std::vector<NodeRun>& runs);

}  // namespace kb::runtime

// The workload graph and its executor: errors that name the nodes, dependencies and
// overlap as the hardware allows, the critical path of bounds, and the measured breakdown.
#include "runtime/host/host_program.h"
#include "runtime/kernels/registry.h"
#include "runtime/workload/executor.h"
#include "testbenches/harness/run_host.h"
#include "testbenches/harness/sim_test.h"

#include <boost/test/unit_test.hpp>

using namespace kb::runtime;
using kb::test::run_host;

namespace {

WorkloadNode delay(const std::string& name, double ns, std::vector<std::string> after = {},
                   OpClass op = OpClass::other) {
  WorkloadNode n;
  n.name = name;
  n.op_class = op;
  n.layer = "L0";
  n.after = std::move(after);
  n.operation = DelayOp{ns};
  return n;
}

std::string error_of(const WorkloadGraph& g) {
  try {
    g.dependencies();
  } catch (const GraphError& e) {
    return e.what();
  }
  return "";
}

// `cycles` of compute on each PE the tensor argument covers.
void spin(KernelContext& k) { k.pe().compute(static_cast<std::uint64_t>(k.int_arg(1))); }

}  // namespace

BOOST_AUTO_TEST_CASE(a_missing_dependency_a_cycle_and_a_duplicate_name_are_named) {
  WorkloadGraph missing;
  missing.add(delay("a", 1));
  missing.add(delay("b", 1, {"a", "x"}));
  BOOST_TEST(error_of(missing) == "node 'b' depends on 'x', which is not in the graph");
  WorkloadGraph cycle;
  cycle.add(delay("start", 1));
  cycle.add(delay("a", 1, {"start", "c"}));
  cycle.add(delay("b", 1, {"a"}));
  cycle.add(delay("c", 1, {"b"}));
  BOOST_TEST(error_of(cycle) ==
             "the workload has a cycle: a -> c -> b -> a (each waits for the next)");
  BOOST_CHECK_THROW(cycle.add(delay("a", 1)), GraphError);
}

// A graph held by index orders as the named graph does, and names its cycles alike.
BOOST_AUTO_TEST_CASE(an_index_graph_orders_and_refuses_as_the_named_graph) {
  WorkloadGraph g;
  g.add(delay("a", 1, {"c"}));
  g.add(delay("b", 1));
  g.add(delay("c", 1, {"b"}));
  g.add(delay("d", 1, {"a", "b"}));
  const std::vector<std::string> names = {"a", "b", "c", "d"};
  auto name = [&](std::size_t i) -> const std::string& { return names[i]; };
  const std::vector<std::vector<std::size_t>> deps = {{2}, {}, {1}, {0, 1}};
  BOOST_TEST((topological_order(deps, name) == std::vector<std::size_t>{1, 2, 0, 3}));
  BOOST_TEST(topological_order(deps, name) == g.topological_order());
  std::string refused;
  try {
    topological_order({{1}, {2}, {0}, {}}, name);
  } catch (const GraphError& e) {
    refused = e.what();
  }
  BOOST_TEST(refused == "the workload has a cycle: a -> b -> c -> a (each waits for the next)");
}

BOOST_AUTO_TEST_CASE(the_critical_path_of_bounds_adds_the_longest_chain) {
  WorkloadGraph g;
  auto bounded = [](WorkloadNode n, const std::string& term, double ns) {
    n.bound.add(term, ns);
    return n;
  };
  g.add(bounded(delay("a", 1), "compute", 10));
  g.add(bounded(delay("b", 1, {"a"}), "hbm_slice", 30));
  g.add(bounded(delay("c", 1, {"a"}), "compute", 25));
  g.add(bounded(delay("d", 1, {"b", "c"}), "compute", 5));
  const WorkloadGraph::Path p = g.critical_bound_path();
  BOOST_TEST((p.nodes == std::vector<std::size_t>{0, 1, 3}));
  BOOST_TEST(p.bound.time_ns() == 45.0);
  BOOST_TEST(p.bound.limiter() == "hbm_slice");  // 30 of the 45 ns
}

// Two nodes on different PEs run together; a third on busy PEs waits for them in issue
// order; a node after all three starts when the last ends.
BOOST_AUTO_TEST_CASE(independent_nodes_overlap_and_a_pe_runs_one_node_at_a_time) {
  kernel_registry().add({"spin", "(t, cycles)", "compute for a while", spin});
  std::vector<NodeRun> runs;
  WorkloadGraph g;
  run_host(kb::test::config("tiny.yaml"), [&](RuntimeContext& ctx) {
    const DPPolicy cube0{Split::replicate, Split::replicate, Split::row_wise, {}, 1, {}};
    const DPPolicy cube1{Split::replicate, Split::row_wise, Split::row_wise, {}, {}, {}};
    Tensor a = ctx.zeros({2, 4}, DType::f32, cube0);
    Tensor b = ctx.zeros({4, 4}, DType::f32, cube1);  // rows 2..3 in cube 1
    auto kernel = [&](const std::string& name, const Tensor& t, int cycles,
                      std::vector<std::string> after) {
      WorkloadNode n = delay(name, 0, std::move(after), OpClass::gemm);
      n.operation = KernelOp{"spin", {t, cycles}};
      return n;
    };
    g.add(kernel("first", a, 20000, {}));
    g.add(kernel("beside", b, 20000, {}));
    g.add(kernel("queued", a, 10000, {}));
    g.add(delay("wait", 5000, {}, OpClass::communication));
    g.add(delay("after", 1000, {"first", "beside", "queued", "wait"}));
    runs = Executor({&ctx}).run(g);
  });
  BOOST_REQUIRE(runs.size() == 5u);
  const NodeRun &first = runs[0], &beside = runs[1], &queued = runs[2], &after = runs[4];
  BOOST_TEST(first.issued_ns == beside.issued_ns);
  BOOST_TEST(queued.issued_ns == first.issued_ns);
  // first and beside overlap on different cubes; queued starts once first has ended.
  BOOST_TEST(beside.busy_begin_ns() < first.busy_end_ns());
  BOOST_TEST(queued.busy_begin_ns() >= first.busy_end_ns());
  BOOST_TEST(first.busy_end_ns() - first.busy_begin_ns() >= 20000.0);
  BOOST_TEST(after.issued_ns == std::max({first.done_ns, beside.done_ns, queued.done_ns}));
  BOOST_TEST(after.done_ns - after.issued_ns == 1000.0);
  // The measured critical path: queued (its wait for first included), then after; queued's
  // launch trips (host to its M_CPU, and from its PE's end back) apart.
  const auto path = critical_path_breakdown(g, runs);
  const double trips =
      (queued.handles.front().request->completions().front().arrived_ps / 1e3 - queued.issued_ns) +
      (queued.done_ns - queued.busy_end_ns());
  BOOST_TEST(trips > 0.0);
  BOOST_TEST(path.launch_ns == trips);
  BOOST_TEST(path.by_class.at(OpClass::gemm) == queued.done_ns - queued.issued_ns - trips);
  BOOST_TEST(path.by_class.at(OpClass::other) == 1000.0);
  BOOST_TEST(path.by_class.count(OpClass::communication) == 0u);
  // The 5 us delay is hidden from when the kernels reached the PEs (after the launch
  // message's trip) on.
  const double kernels_begin = std::min(first.busy_begin_ns(), beside.busy_begin_ns());
  BOOST_TEST(kernels_begin > runs[3].issued_ns);
  BOOST_TEST(exposed_communication_ns(g, runs) == kernels_begin - runs[3].issued_ns);
}

BOOST_AUTO_TEST_CASE(communication_alone_is_exposed) {
  std::vector<NodeRun> runs;
  WorkloadGraph g;
  g.add(delay("compute", 3000, {}, OpClass::gemm));
  g.add(delay("reduce", 2000, {"compute"}, OpClass::communication));
  run_host(kb::test::config("tiny.yaml"),
           [&](RuntimeContext& ctx) { runs = Executor({&ctx}).run(g); });
  BOOST_TEST(exposed_communication_ns(g, runs) == 2000.0);
  const auto path = critical_path_breakdown(g, runs);
  BOOST_TEST(path.by_class.at(OpClass::communication) == 2000.0);
  BOOST_TEST(path.by_class.at(OpClass::gemm) == 3000.0);
  BOOST_TEST(path.launch_ns == 0.0);  // delays launch nothing
}

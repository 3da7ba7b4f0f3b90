// Collectives over the IPCQs: every collective x algorithm x dtype against a host
// reference, install plans, ccl.yaml errors, and a rank that never joins.
#include "runtime/host/distributed.h"
#include "runtime/host/host_program.h"
#include "runtime/kernels/reference.h"
#include "testbenches/harness/sim_test.h"

#include <boost/test/unit_test.hpp>

#include <cmath>

using namespace kb::runtime;
using kb::platform::Simulation;

namespace {

constexpr Split R = Split::replicate, Row = Split::row_wise;

// Rank r's element i: small values, so that sums stay well inside every dtype.
double value(std::uint32_t r, std::int64_t i, DType dtype) {
  const double v = static_cast<double>((r * 7 + static_cast<std::uint32_t>(i) * 3) % 11) - 5.0;
  return is_float(dtype) ? v / 4.0 : v;
}

struct Check {
  std::string what;
  Collective kind;
  ReduceOp op;
};

// The host reference of element `i` of rank `r`'s output.
double expected(const Check& c, std::uint32_t r, std::int64_t i, std::uint32_t world,
                std::int64_t count, DType dtype, double& magnitude) {
  magnitude = 0;
  switch (c.kind) {
    case Collective::all_gather:
      return value(static_cast<std::uint32_t>(i / count), i % count, dtype);
    case Collective::broadcast: return value(1 % world, i, dtype);
    case Collective::all_to_all:  // chunk j of the output: rank j's chunk for r
      return value(static_cast<std::uint32_t>(i / count), r * count + i % count, dtype);
    default: break;
  }
  const std::int64_t at = c.kind == Collective::reduce_scatter ? r * count + i : i;
  double acc = c.op == ReduceOp::max ? -INFINITY : c.op == ReduceOp::min ? INFINITY : 0.0;
  for (std::uint32_t q = 0; q < world; ++q) {
    const double v = value(q, at, dtype);
    magnitude += std::abs(v);
    acc = c.op == ReduceOp::max   ? std::max(acc, v)
          : c.op == ReduceOp::min ? std::min(acc, v)
                                  : acc + v;
  }
  // Integer averages truncate, as the device's division does.
  if (c.op == ReduceOp::avg) return is_float(dtype) ? acc / world : std::trunc(acc / world);
  return acc;
}

// Runs every collective the algorithm does, for each dtype, from one host thread per SIP
// (each bound to its SIP), and compares every rank's output with the reference.
void check_algorithm(const kb::platform::Topology& topology, const std::string& algorithm) {
  Simulation sim(topology);
  const auto sips = static_cast<std::uint32_t>(topology.system.sips.count);
  const std::int64_t per_sip = topology.cubes_per_sip() * topology.pes_per_cube();
  const std::int64_t count = 24;
  int checked = 0;
  Distributed* shared = nullptr;
  std::unique_ptr<Distributed> dist;
  spawn_ranks(sim, sips, [&](RuntimeContext& ctx, std::uint32_t rank) {
    if (!dist) dist = std::make_unique<Distributed>(ctx);
    shared = dist.get();
    Distributed& d = *shared;
    ctx.ahbm.set_device(rank);
    d.init_process_group(algorithm);
    const IpcqPlan& plan = d.plan();
    const CclAlgorithm& a = ccl_algorithm(algorithm);
    const std::vector<Check> checks{
        {"all_reduce sum", Collective::all_reduce, ReduceOp::sum},
        {"all_reduce max", Collective::all_reduce, ReduceOp::max},
        {"all_reduce min", Collective::all_reduce, ReduceOp::min},
        {"all_reduce avg", Collective::all_reduce, ReduceOp::avg},
        {"reduce_scatter sum", Collective::reduce_scatter, ReduceOp::sum},
        {"all_gather", Collective::all_gather, ReduceOp::sum},
        {"broadcast from 1", Collective::broadcast, ReduceOp::sum},
        {"all_to_all", Collective::all_to_all, ReduceOp::sum}};
    for (DType dtype : {DType::f32, DType::bf16, DType::i32}) {
      for (const Check& c : checks) {
        if (!a.supports(c.kind)) continue;
        const std::uint32_t W = plan.world_size;
        const bool chunked =
            c.kind == Collective::reduce_scatter || c.kind == Collective::all_to_all;
        const std::int64_t in_cols = chunked ? count * W : count;
        const std::int64_t out_cols = c.kind == Collective::all_gather       ? count * W
                                      : c.kind == Collective::reduce_scatter ? count
                                                                             : in_cols;
        const DPPolicy dp{R, Row, Row, {}, {}, {}};
        HostTensor host({per_sip, in_cols}, dtype);
        Tile fill(per_sip, in_cols, dtype, true);
        for (std::int64_t row = 0; row < per_sip; ++row) {
          const PeCoord pe{rank, static_cast<std::uint32_t>(row / topology.pes_per_cube()),
                           static_cast<std::uint32_t>(row % topology.pes_per_cube())};
          const auto r = static_cast<std::uint32_t>(plan.rank_of(pe));
          for (std::int64_t i = 0; i < in_cols; ++i) {
            fill.set(row, i,
                     c.kind == Collective::all_gather ? value(r, i, dtype) : value(r, i, dtype));
          }
        }
        fill.to_bytes(host.bytes().data());
        Tensor in = ctx.empty({per_sip, in_cols}, dtype, dp);
        ctx.copy_(in, host);
        Tensor out = (c.kind == Collective::all_gather || c.kind == Collective::reduce_scatter ||
                      c.kind == Collective::all_to_all)
                         ? ctx.empty({per_sip, out_cols}, dtype, dp)
                         : in;
        switch (c.kind) {
          case Collective::all_reduce: d.all_reduce(in, c.op); break;
          case Collective::reduce_scatter: d.reduce_scatter(in, out, c.op); break;
          case Collective::all_gather: d.all_gather(in, out); break;
          case Collective::all_to_all: d.all_to_all(in, out); break;
          default: d.broadcast(in, 1 % W); break;
        }
        const HostTensor got = ctx.to_host(out);
        const double u = unit_roundoff(dtype);
        bool ok = true;
        for (std::int64_t row = 0; row < per_sip && ok; ++row) {
          const PeCoord pe{rank, static_cast<std::uint32_t>(row / topology.pes_per_cube()),
                           static_cast<std::uint32_t>(row % topology.pes_per_cube())};
          const auto r = static_cast<std::uint32_t>(plan.rank_of(pe));
          for (std::int64_t i = 0; i < out_cols && ok; ++i) {
            double magnitude = 0;
            const double want = expected(c, r, i, W, count, dtype, magnitude);
            const double have = element(got, row, i);
            // Each addition rounds once: W u sum|x|, plus rounding the result (and 1/W).
            const double tol = is_float(dtype) ? W * u * magnitude + 2 * u * std::abs(want) : 0.0;
            if (std::abs(have - want) > tol) {
              ok = false;
              BOOST_ERROR(algorithm << " " << c.what << " " << to_string(dtype) << ": rank " << r
                                    << " element " << i << " is " << have << ", expected " << want
                                    << " (tolerance " << tol << ")");
            }
          }
        }
        ++checked;
        ctx.free(in);
        if (out.valid()) ctx.free(out);
      }
    }
    d.barrier();
  });
  sim.run();
  BOOST_TEST(checked > 0);
  BOOST_TEST_MESSAGE(algorithm << ": " << checked << " collective runs checked");
}

}  // namespace

BOOST_AUTO_TEST_CASE(ring_on_tiny) { check_algorithm(kb::test::config("tiny.yaml"), "ring"); }
BOOST_AUTO_TEST_CASE(ring_on_default) {
  check_algorithm(kb::test::config("topology.yaml"), "ring");
}
BOOST_AUTO_TEST_CASE(ring_on_multi_sip) {
  check_algorithm(kb::test::config("multi_sip.yaml"), "ring");
}
BOOST_AUTO_TEST_CASE(rhd_on_tiny) { check_algorithm(kb::test::config("tiny.yaml"), "rhd"); }
BOOST_AUTO_TEST_CASE(rhd_on_default) { check_algorithm(kb::test::config("topology.yaml"), "rhd"); }
BOOST_AUTO_TEST_CASE(rhd_on_multi_sip) {
  check_algorithm(kb::test::config("multi_sip.yaml"), "rhd");
}
BOOST_AUTO_TEST_CASE(binomial_tree_on_tiny) {
  check_algorithm(kb::test::config("tiny.yaml"), "binomial_tree");
}
BOOST_AUTO_TEST_CASE(binomial_tree_on_default) {
  check_algorithm(kb::test::config("topology.yaml"), "binomial_tree");
}
BOOST_AUTO_TEST_CASE(binomial_tree_on_multi_sip) {
  check_algorithm(kb::test::config("multi_sip.yaml"), "binomial_tree");
}
BOOST_AUTO_TEST_CASE(hierarchical_on_tiny) {
  check_algorithm(kb::test::config("tiny.yaml"), "hierarchical");
}
BOOST_AUTO_TEST_CASE(hierarchical_on_default) {
  check_algorithm(kb::test::config("topology.yaml"), "hierarchical");
}
BOOST_AUTO_TEST_CASE(hierarchical_on_multi_sip) {
  check_algorithm(kb::test::config("multi_sip.yaml"), "hierarchical");
}
BOOST_AUTO_TEST_CASE(pairwise_on_tiny) {
  check_algorithm(kb::test::config("tiny.yaml"), "pairwise");
}
BOOST_AUTO_TEST_CASE(pairwise_on_default) {
  check_algorithm(kb::test::config("topology.yaml"), "pairwise");
}
BOOST_AUTO_TEST_CASE(pairwise_on_multi_sip) {
  check_algorithm(kb::test::config("multi_sip.yaml"), "pairwise");
}

BOOST_AUTO_TEST_CASE(bidirectional_ring_on_tiny) {
  check_algorithm(kb::test::config("tiny.yaml"), "bidirectional_ring");
}
BOOST_AUTO_TEST_CASE(bidirectional_ring_on_default) {
  check_algorithm(kb::test::config("topology.yaml"), "bidirectional_ring");
}
BOOST_AUTO_TEST_CASE(bidirectional_ring_on_multi_sip) {
  check_algorithm(kb::test::config("multi_sip.yaml"), "bidirectional_ring");
}
BOOST_AUTO_TEST_CASE(bruck_on_tiny) { check_algorithm(kb::test::config("tiny.yaml"), "bruck"); }
BOOST_AUTO_TEST_CASE(bruck_on_default) {
  check_algorithm(kb::test::config("topology.yaml"), "bruck");
}
BOOST_AUTO_TEST_CASE(bruck_on_three_sips) {  // a world of no power of two: 12 ranks
  check_algorithm(kb::test::config("tiny.yaml", {"system.sips.count=3"}), "bruck");
}

// Tensor parallelism's all-reduce: one group per PE position across two SIPs, each rank's
// buffer its whole (multi-row) block; every group sums its own two blocks, at once.
BOOST_AUTO_TEST_CASE(process_groups_all_reduce_their_own_blocks_together) {
  Simulation sim(kb::test::config("tiny.yaml", {"system.sips.count=2"}));
  bool checked = false;
  spawn_host_program(sim, [&](RuntimeContext& ctx) {
    std::vector<std::vector<PeCoord>> groups;
    for (std::uint32_t c = 0; c < 2; ++c)
      for (std::uint32_t p = 0; p < 2; ++p) groups.push_back({{0, c, p}, {1, c, p}});
    auto installed =
        std::make_shared<const ProcessGroups>(ctx.install_process_groups("ring", "", groups));
    BOOST_TEST(installed->plans().size() == 4u);
    BOOST_TEST(installed->plan_of({1, 1, 0})->rank_of({1, 1, 0}) == 1);
    // SIP s holds rows 2s, 2s + 1; each PE a 2 x 2 block of them.
    const DPPolicy dp{Row, Split::column_wise, Split::column_wise, {}, {}, {}};
    std::vector<float> values(4 * 8);
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i % 13) - 6;
    Tensor t = ctx.empty({4, 8}, DType::f32, dp, "partial");
    ctx.copy_(t, HostTensor::from(values, {4, 8}));
    Distributed tp(ctx, installed);
    tp.all_reduce(t);
    const std::vector<float> got = ctx.to_host(t).values<float>();
    for (std::size_t r = 0; r < 4; ++r) {
      for (std::size_t c = 0; c < 8; ++c) {
        const float want = values[(r % 2) * 8 + c] + values[(r % 2 + 2) * 8 + c];
        BOOST_TEST(got[r * 8 + c] == want, "row " << r << " col " << c);
      }
    }
    checked = true;
    BOOST_CHECK_THROW(ProcessGroups({installed->plans()[0], installed->plans()[0]}),
                      std::invalid_argument);
  });
  sim.run();
  BOOST_TEST(checked);
}

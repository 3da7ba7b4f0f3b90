// Every bench's bound against its simulation (docs/bounds.md): on tiny, default and multi-SIP
// topologies, at three sizes and under --set variations that move the binding resource,
// the bound is a true lower bound (never above the simulated kernel time) and names its
// limiter; and where a known resource binds, the bound finds it.
#define BOOST_TEST_MODULE bounds
#include "testbenches/cli/kernbench_process.h"

#include <fstream>
#include <vector>

using kb::test::configs;
using kb::test::kernbench;
using kb::test::read_json;
using kb::test::Result;

namespace {

struct Case {
  std::string run;  // bench and params
  bool multi_sip_only = false;
  // all-to-all over 512 ranks takes 511 latency-bound steps: a run of tens of seconds,
  // nine times over (its multi-SIP result is checked in sim.collectives.pairwise_*).
  bool not_multi_sip = false;
};

// Sizes that divide every topology's placements; three per bench.
const std::vector<std::vector<Case>> kKernelBenches = {
    {{"gemm --param M=128 --param N=256 --param K=256"},
     {"gemm --param M=256 --param N=1024 --param K=512"},
     {"gemm --param M=128 --param N=2048 --param K=1024"}},
    {{"gemm --param M=128 --param N=256 --param K=256 --param a_in=sram"},
     {"gemm --param M=256 --param N=1024 --param K=512 --param a_in=sram --param dtype=i8"},
     {"gemm --param M=128 --param N=2048 --param K=1024 --param a_in=sram --param dtype=f32"}},
    {{"vector_add --param elements=64K"},
     {"vector_add --param elements=1M"},
     {"vector_add --param elements=4M"}},
    {{"memcpy --param bytes=1M"}, {"memcpy --param bytes=4M"}, {"memcpy --param bytes=16M"}},
    {{"memcpy --param route=cross_sip --param bytes=256K", true},
     {"memcpy --param route=cross_sip --param bytes=1M", true},
     {"memcpy --param route=cross_sip --param bytes=4M", true}},
    {{"softmax --param rows=512 --param cols=256"},
     {"softmax --param rows=1024 --param cols=1024"},
     {"softmax --param rows=2048 --param cols=512"}},
    {{"layernorm --param rows=512 --param cols=256"},
     {"layernorm --param rows=1024 --param cols=1024"},
     {"layernorm --param rows=2048 --param cols=512"}},
};

const std::vector<std::vector<Case>> kCollectiveBenches = {
    {{"allreduce --param bytes=16K"},
     {"allreduce --param bytes=64K"},
     {"allreduce --param bytes=256K"}},
    {{"allgather --param bytes=16K"},
     {"allgather --param bytes=64K"},
     {"allgather --param bytes=256K"}},
    {{"reduce_scatter --param bytes=16K"},
     {"reduce_scatter --param bytes=64K"},
     {"reduce_scatter --param bytes=256K"}},
    {{"broadcast --param bytes=16K"},
     {"broadcast --param bytes=64K"},
     {"broadcast --param bytes=256K"}},
    {{"alltoall --param bytes=16K", false, true},
     {"alltoall --param bytes=64K", false, true},
     {"alltoall --param bytes=256K", false, true}},
    {{"alltoall --param bytes=16K --param algorithm=bruck"},
     {"alltoall --param bytes=64K --param algorithm=bruck"},
     {"alltoall --param bytes=256K --param algorithm=bruck"}},
    {{"allreduce --param bytes=16K --param algorithm=hierarchical"},
     {"allreduce --param bytes=64K --param algorithm=hierarchical"},
     {"allreduce --param bytes=256K --param algorithm=hierarchical"}},
    {{"allreduce --param bytes=16K --param algorithm=bidirectional_ring"},
     {"allreduce --param bytes=64K --param algorithm=bidirectional_ring"},
     {"allreduce --param bytes=256K --param algorithm=bidirectional_ring"}},
};

// Variations that move the binding resource: slow HBM, fast HBM behind fast ports, slow
// mesh links, a slow core, slow SRAM and TCM, slow inter-SIP links (where there are some).
const std::vector<std::string> kSets = {
    "--set system.inter_sip.link.bw_gbps=5",
    "--set cube.hbm_slice.bw_gbps=20",
    "--set cube.hbm_slice.bw_gbps=600 --set cube.router.bw_gbps=512",
    "--set sip.mesh_link.bw_gbps=16",
    "--set cube.pe_template.components.pe_core.attrs.freq_ghz=0.25",
    "--set cube.sram.bw_gbps=16",
    "--set cube.pe_template.components.pe_tcm.attrs.bw_gbps=16",
};

void check(const std::string& topology, const std::string& run) {
  const std::string args = "run " + run + " --timing-only --quiet --report bound.json --topology " +
                           configs() + topology;
  const Result r = kernbench(args);
  BOOST_REQUIRE_MESSAGE(r.code == 0, args << "\n" << r.output);
  const auto j = read_json("bound.json");
  const double bound = j["bound"]["time_ns"].get<double>();
  const double kernels = j["kernel_time_ns"].get<double>();
  const std::string limiter = j["bound"]["limiter"].get<std::string>();
  BOOST_TEST_MESSAGE(args << ": bound " << bound << " ns (" << limiter << "), kernels " << kernels);
  BOOST_TEST(bound > 0, args);
  BOOST_TEST(bound <= kernels, args << ": bound " << bound << " ns > kernels " << kernels << " ns");
  BOOST_TEST(!limiter.empty(), args);
  BOOST_TEST(j["bound"]["terms"].contains(limiter), args);
  BOOST_TEST(j["efficiency"].get<double>() <= 1.0, args);
}

void check_all(const std::string& topology, const std::vector<std::vector<Case>>& benches) {
  const bool multi_sip = topology == "multi_sip.yaml";
  for (const auto& sizes : benches) {
    if (sizes.front().multi_sip_only && !multi_sip) continue;
    if (sizes.front().not_multi_sip && multi_sip) continue;
    for (const Case& c : sizes) check(topology, c.run);
    for (const std::string& set : kSets) check(topology, sizes[1].run + " " + set);
  }
}

// The limiter and time of one run.
std::pair<std::string, double> bound_of(const std::string& topology, const std::string& run) {
  const Result r = kernbench("run " + run + " --timing-only --quiet --report one.json --topology " +
                             configs() + topology);
  BOOST_REQUIRE_MESSAGE(r.code == 0, r.output);
  const auto j = read_json("one.json");
  return {j["bound"]["limiter"].get<std::string>(), j["bound"]["time_ns"].get<double>()};
}

}  // namespace

BOOST_AUTO_TEST_CASE(kernel_bounds_hold_on_tiny) { check_all("tiny.yaml", kKernelBenches); }
BOOST_AUTO_TEST_CASE(kernel_bounds_hold_on_default) { check_all("topology.yaml", kKernelBenches); }
BOOST_AUTO_TEST_CASE(kernel_bounds_hold_on_multi_sip) {
  check_all("multi_sip.yaml", kKernelBenches);
}
BOOST_AUTO_TEST_CASE(collective_bounds_hold_on_tiny) { check_all("tiny.yaml", kCollectiveBenches); }
BOOST_AUTO_TEST_CASE(collective_bounds_hold_on_default) {
  check_all("topology.yaml", kCollectiveBenches);
}
BOOST_AUTO_TEST_CASE(collective_bounds_hold_on_multi_sip) {
  check_all("multi_sip.yaml", kCollectiveBenches);
}

// Bounds worked out by hand from the topology keys, where a port, a replicated operand, a
// shared slice, a mesh link or HBM inside a collective binds.
BOOST_AUTO_TEST_CASE(the_binding_resource_is_found) {
  // gemm M=128 N=8192 K=8192 f16 on the default machine: every PE reads its 8192 x 1024
  // columns of B (16 MiB, replicated into every cube) through its 128 GB/s router port:
  // 131.1 us, where a count of B once gave 65.5 us.
  const auto gemm = bound_of("topology.yaml", "gemm --param M=128 --param N=8192 --param K=8192");
  BOOST_TEST(gemm.first.find("pe_port") == 0u);
  BOOST_TEST(gemm.second >= 0.9 * 16777216 / 128.0);
  // vector_add 16M f32 with 300 GB/s slices: each PE reads 1 MiB (x and y) through its
  // 128 GB/s port, 8.19 us; HBM alone would allow 5.2 us.
  const auto vadd = bound_of("topology.yaml", "vector_add --set cube.hbm_slice.bw_gbps=300");
  BOOST_TEST(vadd.first.find("port") != std::string::npos, vadd.first);
  BOOST_TEST(vadd.second >= 0.9 * 1048576 / 128.0);
  // memcpy cross_cube 64M: dst's columns are split over cubes, src's rows: under XY routing
  // the busiest mesh link carries 4 MiB at its 256 GB/s: 16.4 us (HBM alone: 7 us).
  const auto copy = bound_of("topology.yaml", "memcpy");
  BOOST_TEST(copy.first.find("mesh_link system.sip0.link_cube") == 0u, copy.first);
  BOOST_TEST(copy.second >= 0.9 * 4194304 / 256.0);
  // Mesh links faster than the router's local ports carry their full rate: at 512 GB/s the
  // same link takes 8.2 us.
  const auto fast = bound_of("topology.yaml", "memcpy --set sip.mesh_link.bw_gbps=512");
  BOOST_TEST(fast.second < copy.second);
  // all-reduce 1 MiB on tiny with 20 GB/s slices: each rank loads and stores 1 MiB through
  // its own slice: 104.9 us, where the alpha-beta formula alone gives 28.7 us.
  const auto ar = bound_of("tiny.yaml", "allreduce --set cube.hbm_slice.bw_gbps=20");
  BOOST_TEST(ar.first == "hbm_slice");
  BOOST_TEST(ar.second >= 0.9 * 2097152 / 20.0);
  // gemm M=128 N=256 K=4096 with 16 GB/s TCMs: each PE stages its 8 rows of A and its 32
  // columns of B (f16) into its TCM and reads them back: 2 x 2 x (8 + 32) x 4096 bytes =
  // 655360 bytes at 16 GB/s = 41.0 us.
  const auto tcm = bound_of("topology.yaml",
                            "gemm --param M=128 --param N=256 --param K=4096 "
                            "--set cube.pe_template.components.pe_tcm.attrs.bw_gbps=16");
  BOOST_TEST(tcm.first == "tcm");
  BOOST_TEST(tcm.second >= 0.9 * 655360 / 16.0);
  // Two PEs share each slice (tiny with one slice per cube): twice the bytes on it.
  const auto shared = bound_of(
      "tiny.yaml",
      "allreduce --set cube.hbm_slice.bw_gbps=20 --set cube.memory_map.hbm_slices_per_cube=1");
  BOOST_TEST(shared.first == "hbm_slice");
  BOOST_TEST(shared.second >= 0.9 * 4194304 / 20.0);
}

// A ccl.yaml tuning table (rhd up to 64 KiB a rank, then the ring): with no algorithm named,
// each all-reduce runs the one its size picks, says which, and takes that algorithm's time
// and bound; the table's other queues installed beside it move the small one by under 1 %.
BOOST_AUTO_TEST_CASE(a_tuned_collective_runs_the_algorithm_its_size_picks) {
  std::ofstream("tuned.yaml") << "algorithms: {ring: {}, rhd: {}}\n"
                                 "tuning:\n  all_reduce:\n"
                                 "    - {up_to: 65536, algorithm: rhd}\n"
                                 "    - {algorithm: ring}\n";
  auto run = [](const std::string& args) {
    const Result r = kernbench("run allreduce --timing-only --quiet --report tuned.json " + args);
    BOOST_REQUIRE_MESSAGE(r.code == 0, args << "\n" << r.output);
    return read_json("tuned.json");
  };
  for (const auto& [bytes, picked] :
       std::vector<std::pair<std::string, std::string>>{{"16K", "rhd"}, {"1M", "ring"}}) {
    const nlohmann::json tuned =
        run("--param bytes=" + bytes + " --param ccl=tuned.yaml --param algorithm=");
    const nlohmann::json named =
        run("--param bytes=" + bytes + " --param ccl=tuned.yaml --param algorithm=" + picked);
    BOOST_TEST(tuned["algorithm"] == picked, bytes);
    BOOST_TEST(tuned["kernel_time_ns"].get<double>() == named["kernel_time_ns"].get<double>(),
               boost::test_tools::tolerance(0.01));
    BOOST_TEST(tuned["bound"]["time_ns"].get<double>() == named["bound"]["time_ns"].get<double>(),
               boost::test_tools::tolerance(0.01));
    BOOST_TEST(tuned["bound"]["time_ns"].get<double>() <= tuned["kernel_time_ns"].get<double>());
  }
}

// A layout of communicator groups (tp:8,dp:16 on the default machine's 128 ranks): every
// collective verifies in each dimension's groups, each pass at or above its slowest group's
// bound and the whole at or above their sum; one group of every rank is the world's run;
// layouts that do not cover the world are usage errors.
BOOST_AUTO_TEST_CASE(group_layouts_run_each_dimension_in_its_groups) {
  auto run = [](const std::string& args) {
    const Result r = kernbench("run " + args + " --quiet --report groups.json");
    BOOST_REQUIRE_MESSAGE(r.code == 0, args << "\n" << r.output);
    return read_json("groups.json");
  };
  for (const char* bench : {"allreduce", "allgather", "reduce_scatter", "broadcast", "alltoall"}) {
    const nlohmann::json j =
        run(std::string(bench) + " --param bytes=64K --param groups=tp:8,dp:16");
    BOOST_TEST(j["verify"]["ok"].get<bool>(), bench << ": " << j["verify"].dump());
    BOOST_TEST(!j["verify"]["skipped"].get<bool>(), bench);
    const nlohmann::json& g = j["groups"];
    BOOST_REQUIRE(g.size() == 2u);
    BOOST_TEST(g[0]["name"] == "tp");
    BOOST_TEST(g[0]["size"].get<int>() == 8);
    BOOST_TEST(g[0]["groups"].get<int>() == 16);
    BOOST_TEST(g[1]["size"].get<int>() == 16);
    BOOST_TEST(g[1]["groups"].get<int>() == 8);
    double passes = 0, bounds = 0;
    for (const nlohmann::json& pass : g) {
      BOOST_TEST(pass["bound_ns"].get<double>() > 0, bench);
      BOOST_TEST(pass["bound_ns"].get<double>() <= pass["ns"].get<double>(), bench);
      passes += pass["ns"].get<double>();
      bounds += pass["bound_ns"].get<double>();
    }
    BOOST_TEST(j["kernel_time_ns"].get<double>() >= passes, bench);
    BOOST_TEST(j["bound"]["time_ns"].get<double>() >= bounds, bench);
    BOOST_TEST(j["bound"]["time_ns"].get<double>() <= j["kernel_time_ns"].get<double>(), bench);
  }
  const nlohmann::json world = run("allreduce --param bytes=64K --timing-only");
  const nlohmann::json all =
      run("allreduce --param bytes=64K --timing-only --param groups=all:128");
  BOOST_TEST(all["groups"][0]["ns"].get<double>() == world["kernel_time_ns"].get<double>());
  for (const auto& [groups, message] : std::vector<std::pair<std::string, std::string>>{
           {"tp:8,dp:4", "--param groups=tp:8,dp:4: 8 x 4 ranks, the world has 128"},
           {"tp:8,dp", "'dp' is not NAME:SIZE"},
           {"tp:8,tp:16", "'tp' twice"}}) {
    const Result r = kernbench("run allreduce --param groups=" + groups);
    BOOST_TEST(r.code == 2, groups);
    BOOST_TEST(r.output.find(message) != std::string::npos, groups << "\n" << r.output);
  }
}

// Four SIPs of tiny.yaml joined by 5 GB/s links (16 ranks): the flat ring sends over each
// inter-SIP link one way only and is bound by it; the bidirectional ring carries half of
// every chunk each way round and takes half the time on a large buffer (4 MiB a rank), for
// all-reduce, reduce-scatter and all-gather alike, each above its bound; and it verifies.
BOOST_AUTO_TEST_CASE(a_bidirectional_ring_halves_a_ring_bound_by_its_links) {
  const std::string machine = "--topology " + configs() +
                              "tiny.yaml --set system.sips.count=4 "
                              "--set system.inter_sip.link.bw_gbps=5 --quiet --report bidir.json ";
  auto run = [&](const std::string& args) {
    const Result r = kernbench("run " + args + " " + machine);
    BOOST_REQUIRE_MESSAGE(r.code == 0, args << "\n" << r.output);
    return read_json("bidir.json");
  };
  for (const char* bench : {"allreduce", "reduce_scatter", "allgather"}) {
    const std::string sized = std::string(bench) + " --param bytes=4M --timing-only ";
    const nlohmann::json ring = run(sized + "--param algorithm=ring");
    const nlohmann::json both = run(sized + "--param algorithm=bidirectional_ring");
    const double ratio =
        both["kernel_time_ns"].get<double>() / ring["kernel_time_ns"].get<double>();
    BOOST_TEST(ratio <= 0.55, bench << ": " << ratio);
    BOOST_TEST(ratio >= 0.45, bench << ": " << ratio);
    BOOST_TEST(both["bound"]["time_ns"].get<double>() <= both["kernel_time_ns"].get<double>());
    const nlohmann::json checked =
        run(std::string(bench) + " --param bytes=64K --param algorithm=bidirectional_ring");
    BOOST_TEST(checked["verify"]["ok"].get<bool>(), bench << ": " << checked["verify"].dump());
    BOOST_TEST(!checked["verify"]["skipped"].get<bool>());
  }
}

BOOST_AUTO_TEST_CASE(a_hierarchical_all_reduce_beats_the_flat_ring_over_two_levels) {
  // configs/two_level.yaml at 4 x 4 SIPs (128 PEs): a ring in each node, a switch per rail
  // across nodes; the scale-out links at 100 and then 5 GB/s.
  auto run = [&](const std::string& algorithm, int scale_out_gbps, bool timing_only) {
    const std::string args =
        "run allreduce --topology " + configs() +
        "two_level.yaml --set system.inter_sip.levels.0.size=4 --set "
        "system.inter_sip.levels.1.size=4 --set system.inter_sip.levels.1.link.bw_gbps=" +
        std::to_string(scale_out_gbps) + " --param bytes=256K --param algorithm=" + algorithm +
        (timing_only ? " --timing-only" : "") + " --quiet --report levels.json";
    const Result r = kernbench(args);
    BOOST_REQUIRE_MESSAGE(r.code == 0, args << "\n" << r.output);
    return read_json("levels.json");
  };
  double ring_fast = 0;
  for (const int gbps : {100, 5}) {
    const nlohmann::json ring = run("ring", gbps, true), tree = run("hierarchical", gbps, true);
    for (const nlohmann::json* r : {&ring, &tree}) {
      BOOST_TEST((*r)["topology"]["sips"].get<int>() == 16);
      BOOST_TEST((*r)["bound"]["time_ns"].get<double>() <= (*r)["kernel_time_ns"].get<double>());
    }
    // The hierarchical all-reduce crosses the scale-out level with a quarter of the
    // buffer from every SIP at once, in 3 steps; the ring, the whole of it in 2 x 127.
    BOOST_TEST(tree["kernel_time_ns"].get<double>() < 0.5 * ring["kernel_time_ns"].get<double>(),
               gbps << " GB/s");
    if (gbps == 100) ring_fast = ring["kernel_time_ns"].get<double>();
    if (gbps == 5) BOOST_TEST(ring["kernel_time_ns"].get<double>() > ring_fast);
  }
  for (const char* algorithm : {"ring", "hierarchical"}) {
    const nlohmann::json checked = run(algorithm, 5, false);
    BOOST_TEST(checked["verify"]["ok"].get<bool>(), algorithm);
    BOOST_TEST(!checked["verify"]["skipped"].get<bool>());
  }
  // Three levels of 2 x 3 x 2 SIPs: the levels' reduce-scatters and all-gathers verify.
  const Result three = kernbench("run allreduce --topology " + configs() +
                                 "three_level.yaml --set system.inter_sip.levels.0.size=2 --set "
                                 "system.inter_sip.levels.1.size=3 --set "
                                 "system.inter_sip.levels.2.size=2 --param bytes=64K --param "
                                 "algorithm=hierarchical --quiet --report levels.json");
  BOOST_TEST(three.code == 0, three.output);
  const nlohmann::json checked = read_json("levels.json");
  BOOST_TEST(checked["verify"]["ok"].get<bool>());
  BOOST_TEST(checked["bound"]["time_ns"].get<double>() <= checked["kernel_time_ns"].get<double>());
  // 1,024 SIPs in three levels elaborate.
  const Result big = kernbench("elaborate " + configs() + "three_level.yaml");
  BOOST_TEST(big.code == 0, big.output);
  BOOST_TEST(big.output.find("PEs:             4096") != std::string::npos, big.output);
}

BOOST_AUTO_TEST_CASE(hierarchical_collectives_go_level_by_level) {
  // configs/two_level.yaml at 4 x 4 SIPs (128 PEs) with 5 GB/s scale-out links: rings over
  // each level in turn cross the scale-out level with a sixteenth of the buffer a SIP, the
  // flat ring with all of it; then 2 x 3 and 2 x 3 x 2 SIPs, and communicator groups,
  // check the chunks' placement.
  auto run = [&](const std::string& topology, const std::string& bench,
                 const std::string& algorithm, const std::string& more) {
    const std::string args = "run " + bench + " --topology " + configs() + topology +
                             " --param algorithm=" + algorithm + " " + more +
                             " --quiet --report rs_ag.json";
    const Result r = kernbench(args);
    BOOST_REQUIRE_MESSAGE(r.code == 0, args << "\n" << r.output);
    const nlohmann::json j = read_json("rs_ag.json");
    BOOST_TEST(j["bound"]["time_ns"].get<double>() <= j["kernel_time_ns"].get<double>(), args);
    return j;
  };
  const std::string four_by_four =
      "two_level.yaml --set system.inter_sip.levels.0.size=4 --set "
      "system.inter_sip.levels.1.size=4 --set system.inter_sip.levels.1.link.bw_gbps=5";
  for (const char* bench : {"reduce_scatter", "allgather"}) {
    const double ring =
        run(four_by_four, bench, "ring", "--param bytes=3M --timing-only")["kernel_time_ns"];
    const double levels = run(four_by_four, bench, "hierarchical",
                              "--param bytes=3M --timing-only")["kernel_time_ns"];
    BOOST_TEST(levels < 0.5 * ring, bench << ": " << levels << " ns against the ring's " << ring);
    for (const std::string more : {"", " --param groups=tp:8,dp:6", " --param groups=a:2,b:24"}) {
      const nlohmann::json j =
          run("two_level.yaml --set system.inter_sip.levels.0.size=2 --set "
              "system.inter_sip.levels.1.size=3",
              bench, "hierarchical", "--param bytes=192K" + more);
      BOOST_TEST(j["verify"]["ok"].get<bool>(), bench << more);
      BOOST_TEST(!j["verify"]["skipped"].get<bool>());
    }
    const nlohmann::json three =
        run("three_level.yaml --set system.inter_sip.levels.0.size=2 --set "
            "system.inter_sip.levels.1.size=3 --set system.inter_sip.levels.2.size=2",
            bench, "hierarchical", "--param bytes=192K");
    BOOST_TEST(three["verify"]["ok"].get<bool>(), bench);
  }
  // The all-to-all level by level: a pairwise exchange among 2, 4 and 4 ranks and then
  // 4 SIPs over the switch, rather than among all 128 ranks.
  const double pairwise = run(four_by_four, "alltoall", "pairwise",
                              "--param bytes=192K --timing-only")["kernel_time_ns"];
  const double by_levels = run(four_by_four, "alltoall", "hierarchical",
                               "--param bytes=192K --timing-only")["kernel_time_ns"];
  BOOST_TEST(by_levels < 0.75 * pairwise, by_levels << " ns against pairwise's " << pairwise);
  for (const std::string more : {"", " --param groups=tp:8,dp:6"}) {
    const nlohmann::json j =
        run("two_level.yaml --set system.inter_sip.levels.0.size=2 --set "
            "system.inter_sip.levels.1.size=3",
            "alltoall", "hierarchical", "--param bytes=192K" + more);
    BOOST_TEST(j["verify"]["ok"].get<bool>(), "alltoall" << more);
  }
  // Recursive halving and doubling on the switch level alone (ccl.yaml `levels`): 2 steps
  // of its 2 us latency for the ring's 3 each way, which is what a small buffer pays.
  std::ofstream("switch_rhd.yaml") << "algorithms: {hierarchical: {levels: [ring, ring, ring, "
                                      "rhd]}}\n";
  for (const char* bench : {"reduce_scatter", "allgather", "allreduce"}) {
    const std::string small = "--param bytes=16K --timing-only";
    const double rings = run(four_by_four, bench, "hierarchical", small)["kernel_time_ns"];
    const double halving = run(four_by_four, bench, "hierarchical",
                               small + " --param ccl=switch_rhd.yaml")["kernel_time_ns"];
    BOOST_TEST(halving < 0.9 * rings, bench << ": " << halving << " ns against " << rings);
    const nlohmann::json checked =
        run(four_by_four, bench, "hierarchical", "--param bytes=64K --param ccl=switch_rhd.yaml");
    BOOST_TEST(checked["verify"]["ok"].get<bool>(), bench);
  }
}

BOOST_AUTO_TEST_CASE(the_ring_credit_window_holds_for_buffers_smaller_than_the_ranks) {
  // 512 ranks of configs/multi_sip.yaml over 5 us inter-SIP links, where each credit's
  // round trip binds: 64 and 256 bytes leave most chunks empty (16 and 64 elements for 512
  // ranks), 4 KiB fills them all, and the first queue's worth needs no credit.
  for (const char* bytes : {"64", "256", "4K"}) {
    const std::string args = "run allreduce --topology " + configs() +
                             "multi_sip.yaml --set system.inter_sip.link.latency_ns=5000 "
                             "--param bytes=" +
                             std::string(bytes) + " --timing-only --quiet --report credit.json";
    const Result r = kernbench(args);
    BOOST_REQUIRE_MESSAGE(r.code == 0, args << "\n" << r.output);
    const nlohmann::json j = read_json("credit.json");
    const double bound = j["bound"]["time_ns"].get<double>();
    const double simulated = j["kernel_time_ns"].get<double>();
    BOOST_TEST(bound <= simulated, bytes);
    if (std::string(bytes) == "4K") {
      BOOST_TEST(j["bound"]["limiter"].get<std::string>() == "credit_window");
      BOOST_TEST(bound >= 0.98 * simulated);  // the window is what binds it
    }
  }
}

// Bundles (runtime/ccl/bundle.h): in flow fidelity's timing-only runs, ranks on congruent
// PEs run as one. A bundled collective takes the time of the same run with every rank
// simulated, on machines of several SIPs, cubes and network levels; it forms only where
// every rank's routes are congruent with its leader's (the shortest such period), never in
// transaction fidelity, in a run with data, or for an algorithm whose steps do not shift.
#define BOOST_TEST_MODULE bundles
#include "testbenches/cli/kernbench_process.h"

#include <string>
#include <vector>

using kb::test::configs;
using kb::test::kernbench;
using kb::test::read_json;
using kb::test::Result;

namespace {

nlohmann::json run(const std::string& args) {
  const Result r = kernbench("run " + args + " --quiet --report bundle.json");
  BOOST_REQUIRE_MESSAGE(r.code == 0, args << "\n" << r.output);
  return read_json("bundle.json");
}

// The bench's ranks, by `topology show --json`.
int world_of(const std::string& machine) {
  const Result r = kernbench("topology show " + machine + " --json");
  BOOST_REQUIRE_MESSAGE(r.code == 0, r.output);
  return nlohmann::json::parse(r.output)["world_size"].get<int>();
}

// `machine` (a topology and its --set options) runs `bench` alike bundled and not (within
// `tolerance`), the bundled run simulating `leaders` of its ranks.
void agrees(const std::string& bench, const std::string& machine, int leaders,
            double tolerance = 1e-9) {
  const std::string flow = bench + " --timing-only --fidelity flow --topology " + machine;
  const nlohmann::json all = run(flow + " --param bundle=0");
  const nlohmann::json one = run(flow);
  const int world = world_of(machine);
  BOOST_TEST(all["simulated_ranks"].get<int>() == world, bench << " on " << machine);
  BOOST_TEST(one["simulated_ranks"].get<int>() == leaders, bench << " on " << machine);
  BOOST_TEST(one["kernel_time_ns"].get<double>() == all["kernel_time_ns"].get<double>(),
             bench << " on " << machine << boost::test_tools::tolerance(tolerance));
  BOOST_TEST(one["bound"]["time_ns"].get<double>() == all["bound"]["time_ns"].get<double>(),
             boost::test_tools::tolerance(1e-9));
  // The copies spend what their leaders do.
  BOOST_TEST(one["energy"]["dynamic_j"].get<double>() == all["energy"]["dynamic_j"].get<double>(),
             boost::test_tools::tolerance(1e-6));
}

}  // namespace

// Four SIPs of tiny.yaml (4 PEs each) and two of the default machine (128 PEs in 16 cubes
// each): one SIP's ranks run for all, and every ring collective takes the time of the run
// with every rank and spends its energy, at two sizes each.
//
// The leader whose edge leaves the bundle sends from its copy's PE and stores from it too,
// as that copy would (the stores share the port with the sends), into the copy's block
// through the copy's MMU, whose TLB the leader's loads have not warmed: one page walk more
// than unbundled (99 ns of tiny's 4 MiB all-reduce, 0.03 %; exact with walks of a cycle).
BOOST_AUTO_TEST_CASE(one_sip_runs_for_all_in_the_time_of_all) {
  const std::string tiny = configs() + "tiny.yaml --set system.sips.count=4";
  const std::string two = configs() + "topology.yaml --set system.sips.count=2";
  for (const char* bench : {"allreduce", "reduce_scatter"}) {
    for (const char* bytes : {"1M", "4M"}) {
      agrees(std::string(bench) + " --param bytes=" + bytes, tiny, 4, 1e-3);
    }
    agrees(std::string(bench) + " --param bytes=4M", two, 128);
  }
  agrees("allreduce --param bytes=4M",
         tiny + " --set cube.pe_template.components.pe_mmu.attrs.walk_cycles=1", 4);
  // An all-gather stores its own chunk before it sends anything, from the leader's own PE:
  // where the port binds (tiny's) the first step starts sooner, up to 1.1 % short.
  for (const char* bytes : {"1M", "4M"}) {
    agrees(std::string("allgather --param bytes=") + bytes, tiny, 4, 0.02);
  }
  agrees("allgather --param bytes=4M", two, 128);
  // Links slow enough to bind: the copies' edges carry what the leaders' would.
  agrees("allreduce --param bytes=4M", tiny + " --set system.inter_sip.link.bw_gbps=5", 4);
}

// Chunks smaller than a piece: a rank loads its input a piece at a time from the piece
// holding the chunk it sends first, so ranks are alike when the period shifts their chunks
// by whole pieces, or at once where one piece holds the block (then any shift does). On the
// default machine (8 KiB pieces, 256 B to 4 KiB chunks) one SIP runs for all, exactly, as
// on multi_sip for 8 KiB in one load; 16 KiB over tiny's 16 ranks (1 KiB chunks) needs two
// SIPs (eight chunks to a piece) of 4 ranks. Tiny's PE port binds: there the leader's sends and
// stores, out of its copy's PE, and its loads, into its own, book ports in another order than
// unbundled (64 KiB: 1.6 % short).
BOOST_AUTO_TEST_CASE(chunks_smaller_than_a_piece_bundle_by_whole_pieces) {
  const std::string multi = configs() + "multi_sip.yaml";
  const std::string two = configs() + "topology.yaml --set system.sips.count=2";
  const std::string tiny = configs() + "tiny.yaml --set system.sips.count=4";
  for (const char* bench : {"allreduce", "reduce_scatter"}) {
    agrees(std::string(bench) + " --param bytes=64K", two, 128);
    agrees(std::string(bench) + " --param bytes=1M", multi, 128);
  }
  agrees("allreduce --param bytes=16K", two, 128);
  agrees("allreduce --param bytes=8K", multi, 128);
  agrees("allreduce --param bytes=16K", tiny, 8, 0.005);
  agrees("allreduce --param bytes=64K", tiny, 4, 0.02);
}

// Two network levels of 4 x 2 SIPs: shifting by one SIP maps a node's last SIP (whose
// neighbour is across the scale-out level) onto a SIP whose neighbour is in its node, so
// the shortest congruent shift is a whole node.
BOOST_AUTO_TEST_CASE(the_period_is_the_shortest_congruent_shift) {
  const std::string two_level = configs() +
                                "two_level.yaml --set system.inter_sip.levels.0.size=4 "
                                "--set system.inter_sip.levels.1.size=2";
  agrees("allreduce --param bytes=1M", two_level, world_of(two_level) / 2);
}

// Where ranks are not alike, or a run needs every rank's data, every rank runs.
BOOST_AUTO_TEST_CASE(no_bundle_where_ranks_differ_or_data_is_kept) {
  const std::string tiny = " --topology " + configs() + "tiny.yaml --set system.sips.count=4";
  const std::vector<std::string> unbundled = {
      "allreduce --param bytes=1M --timing-only" + tiny,                  // transaction
      "allreduce --param bytes=1M --fidelity flow" + tiny,                // with data
      "broadcast --param bytes=1M --timing-only --fidelity flow" + tiny,  // from a root
      "allreduce --param bytes=1M --timing-only --fidelity flow --param algorithm=rhd" + tiny,
      "allreduce --param bytes=4K --timing-only --fidelity flow --param groups=a:4,b:4" + tiny,
  };
  for (const std::string& args : unbundled) {
    const nlohmann::json j = run(args);
    BOOST_TEST(j["simulated_ranks"].get<int>() == 16, args);
  }
  BOOST_TEST(run("allreduce --param bytes=1M --fidelity flow" + tiny)["verify"]["ok"].get<bool>());
  const Result bad = kernbench("run allreduce --param bundle=2");
  BOOST_TEST(bad.code == 2);
  BOOST_TEST(bad.output.find("--param bundle=2: must be 0 or 1") != std::string::npos, bad.output);
}

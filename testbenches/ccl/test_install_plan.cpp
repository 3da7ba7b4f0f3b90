// install_ipcq: world-size rules, rank order, neighbours, custom placements, ccl.yaml
// errors, a rank that never joins, and the parts whose readiness flow fidelity tracks.
#include "runtime/ccl/rank_comm.h"
#include "runtime/host/distributed.h"
#include "runtime/host/host_program.h"
#include "testbenches/harness/run_host.h"
#include "testbenches/harness/sim_test.h"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <set>

using namespace kb::runtime;
using kb::platform::Simulation;
using kb::test::run_host;

namespace {

std::string error_of(const std::string& yaml) {
  try {
    load_ccl_text(yaml, "ccl.yaml");
  } catch (const kb::platform::ConfigError& e) {
    return e.what();
  }
  return "";
}

// Whether loading `yaml` fails with an error that says `message`.
bool reports(const std::string& yaml, const std::string& message) {
  return error_of(yaml).find(message) != std::string::npos;
}

bool adjacent(const PeCoord& a, const PeCoord& b, std::uint32_t w) {
  if (a.sip != b.sip) return true;  // SIP boundaries are crossed through the I/O cubes
  const int dx = static_cast<int>(a.cube % w) - static_cast<int>(b.cube % w);
  const int dy = static_cast<int>(a.cube / w) - static_cast<int>(b.cube / w);
  return std::abs(dx) + std::abs(dy) <= 1;
}

}  // namespace

BOOST_AUTO_TEST_CASE(default_plan_covers_every_pe_with_adjacent_ring_neighbours) {
  Simulation sim(kb::test::config("topology.yaml"));
  run_host(sim, [&](RuntimeContext& ctx) {
    const IpcqPlan plan = ctx.install_ipcq("ring");
    BOOST_TEST(plan.world_size == 128u);
    std::set<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>> seen;
    for (std::uint32_t r = 0; r < plan.world_size; ++r) {
      const PeCoord& pe = plan.rank_to_pe[r];
      BOOST_TEST(seen.insert({pe.sip, pe.cube, pe.pe}).second);
      BOOST_TEST(plan.rank_of(pe) == static_cast<std::int64_t>(r));
      const std::uint32_t next = (r + 1) % plan.world_size, prev = (r + 127) % plan.world_size;
      BOOST_TEST((plan.neighbours[r] ==
                  std::vector<std::uint32_t>{std::min(next, prev), std::max(next, prev)}),
                 r);
      // Every ring step, the closing one included, is within a cube or to a mesh neighbour.
      BOOST_TEST(adjacent(pe, plan.rank_to_pe[next], 4), "rank " << r << " -> " << next);
    }
    BOOST_TEST(plan.rank_to_pe.front().cube == 0u);  // starts at the I/O cube
    // The IPCQs know their ranks and neighbours.
    const auto& ipcq = sim.system().pe(0, 5, 3).ipcq;
    BOOST_TEST(ipcq.initialised());
    BOOST_TEST(plan.rank_to_pe[ipcq.rank()].cube == 5u);
    BOOST_TEST(plan.to_string().find("rank     0  sip0.cube0.pe0  neighbours 1 127") !=
               std::string::npos);
    BOOST_TEST(plan.to_json()["ranks"].size() == 128u);
  });
}

BOOST_AUTO_TEST_CASE(world_size_comes_from_override_then_algorithm_then_topology) {
  Simulation sim(kb::test::config("multi_sip.yaml"));
  run_host(sim, [&](RuntimeContext& ctx) {
    BOOST_TEST(ctx.install_ipcq("ring").world_size == 512u);
    BOOST_TEST(ctx.install_ipcq("ring", "", 32u).world_size == 32u);
    const std::string yaml =
        std::string(std::getenv("KB_SOURCE_DIR")) + "/testbenches/ccl/data/sized.yaml";
    const IpcqPlan sized = ctx.install_ipcq("rhd", yaml);
    BOOST_TEST(sized.world_size == 16u);                          // from the algorithm's own key
    BOOST_TEST(sized.config.chunk_bytes == 4096);                 // from defaults
    BOOST_TEST(ctx.install_ipcq("ring", yaml).world_size == 8u);  // from defaults
    BOOST_TEST(ctx.install_ipcq("ring", yaml, 4u).world_size == 4u);
    // rhd neighbours are the XOR partners.
    BOOST_TEST((sized.neighbours[5] == std::vector<std::uint32_t>{1, 4, 7, 13}));
  });
}

BOOST_AUTO_TEST_CASE(custom_rank_to_pe_is_honoured_and_checked) {
  Simulation sim(kb::test::config("multi_sip.yaml", {"system.sips.count=2"}));
  run_host(sim, [&](RuntimeContext& ctx) {
    const std::vector<PeCoord> order{{1, 3, 2}, {0, 0, 0}, {0, 15, 7}};
    const IpcqPlan plan = ctx.install_ipcq("ring", "", std::nullopt, &order);
    BOOST_TEST(plan.world_size == 3u);
    BOOST_TEST(plan.rank_of({1, 3, 2}) == 0);
    BOOST_TEST(plan.rank_of({0, 15, 7}) == 2);
    BOOST_TEST(plan.rank_of({0, 1, 0}) == -1);
    BOOST_TEST(sim.system().pe(1, 3, 2).ipcq.rank() == 0u);
    const std::vector<PeCoord> twice{{0, 0, 0}, {0, 0, 0}};
    BOOST_CHECK_THROW(ctx.install_ipcq("ring", "", std::nullopt, &twice), std::invalid_argument);
    const std::vector<PeCoord> outside{{0, 16, 0}};
    BOOST_CHECK_THROW(ctx.install_ipcq("ring", "", std::nullopt, &outside), std::invalid_argument);
    BOOST_CHECK_THROW(ctx.install_ipcq("ring", "", 5000u), std::invalid_argument);
    BOOST_CHECK_THROW(ctx.install_ipcq("butterfly"), std::invalid_argument);
  });
}

BOOST_AUTO_TEST_CASE(ccl_yaml_errors_name_the_place) {
  BOOST_TEST(
      reports("defaults:\n  algoritm: ring\n",
              "ccl.yaml:2:3: error: defaults.algoritm: unknown key (did you mean 'algorithm'?)"));
  BOOST_TEST(reports("algorithms:\n  butterfly: {}\n",
                     "ccl.yaml:2:3: error: algorithms.butterfly: 'butterfly' is not a registered "
                     "algorithm"));
  BOOST_TEST(reports("defaults:\n  chunk_bytes: big\n",
                     "ccl.yaml:2:16: error: defaults.chunk_bytes: expected an integer from 1 to "
                     "1073741824, got 'big'"));
  BOOST_TEST(reports("algorithms:\n  ring: {world_size: 0}\n",
                     "algorithms.ring.world_size: expected an integer from 1 to"));
  BOOST_TEST(reports("defaults: [1\n", "malformed YAML"));
  BOOST_TEST(error_of("").empty());
  const CclConfig config = default_ccl_config();
  BOOST_TEST(config.resolve().algorithm == "ring");
  // The compiled-in ccl.yaml lists every registered algorithm.
  BOOST_TEST(config.algorithms.size() == ccl_algorithm_names().size());
}

BOOST_AUTO_TEST_CASE(a_rank_that_never_joins_is_named) {
  Simulation sim(kb::test::config(
      "multi_sip.yaml", {"system.sips.count=2", "sip.cube_mesh.w=1", "sip.cube_mesh.h=1"}));
  std::unique_ptr<Distributed> dist;
  spawn_ranks(sim, 2, [&](RuntimeContext& ctx, std::uint32_t rank) {
    if (!dist) dist = std::make_unique<Distributed>(ctx);
    ctx.ahbm.set_device(rank);
    dist->init_process_group("ring");
    if (rank == 1) return;  // never joins the all-reduce
    Tensor t = ctx.zeros({8, 4}, DType::f32,
                         DPPolicy{Split::replicate, Split::row_wise, Split::row_wise, {}, {}, {}});
    dist->all_reduce(t);
  });
  try {
    sim.run();
    BOOST_FAIL("expected a deadlock");
  } catch (const kb::models::SimulationError& e) {
    const std::string m = e.what();
    BOOST_TEST(m.find("deadlock") != std::string::npos, m);
    BOOST_TEST(m.find("rank0 waits for request 'all_reduce_sip0'") != std::string::npos, m);
    BOOST_TEST(m.find("running 'all_reduce' (rank 7) waits for IPCQ data from rank 6") !=
                   std::string::npos,
               m);
  }
}

// ccl.yaml's tuning table: per collective, the algorithm by a rank's input bytes, rising
// thresholds and an open-ended last entry; the default algorithm where no rule covers a
// size or a collective has none; an algorithm named explicitly leaves the table out. The
// plan installs every algorithm's neighbours, skipping rules its world cannot run.
BOOST_AUTO_TEST_CASE(the_tuning_table_picks_an_algorithm_by_size) {
  const std::string yaml =
      "algorithms: {ring: {}, rhd: {}, binomial_tree: {}}\n"
      "tuning:\n"
      "  all_reduce:\n"
      "    - {up_to: 65536, algorithm: rhd}\n"
      "    - {up_to: 1048576, algorithm: binomial_tree}\n"
      "  broadcast:\n"
      "    - {up_to: 4096, algorithm: binomial_tree}\n";
  const CclConfig config = load_ccl_text(yaml, "ccl.yaml");
  const CclAlgorithmConfig tuned = config.resolve();
  BOOST_TEST(tuned.algorithm_for(Collective::all_reduce, 1) == "rhd");
  BOOST_TEST(tuned.algorithm_for(Collective::all_reduce, 65536) == "rhd");
  BOOST_TEST(tuned.algorithm_for(Collective::all_reduce, 65537) == "binomial_tree");
  BOOST_TEST(tuned.algorithm_for(Collective::all_reduce, 1 << 21) == "ring");  // no rule: default
  BOOST_TEST(tuned.algorithm_for(Collective::broadcast, 4097) == "ring");
  BOOST_TEST(tuned.algorithm_for(Collective::all_gather, 1) == "ring");
  BOOST_TEST((tuned.algorithms() == std::vector<std::string>{"ring", "rhd", "binomial_tree"}));
  BOOST_TEST(config.resolve("ring").tuning.empty());
  BOOST_TEST(config.resolve("ring").algorithm_for(Collective::all_reduce, 1) == "ring");

  const std::string rules = "algorithms: {ring: {}, rhd: {}}\ntuning:\n  all_reduce:\n";
  BOOST_TEST(reports("tuning:\n  allreduce:\n    - {algorithm: ring}\n",
                     "tuning.allreduce: expected all_reduce, reduce_scatter"));
  BOOST_TEST(
      reports(rules + "    - {up_to: 8, algorithm: direct}\n", "direct does not do all_reduce"));
  BOOST_TEST(
      reports(rules + "    - {up_to: 8, algorithm: rhd}\n    - {up_to: 8, algorithm: ring}\n",
              "tuning.all_reduce[1].up_to: 8 is not above the entry before (8)"));
  BOOST_TEST(reports(rules + "    - {algorithm: rhd}\n    - {up_to: 9, algorithm: ring}\n",
                     "follows an entry without up_to"));
  BOOST_TEST(reports(rules + "    - {up_to: 8}\n", "algorithm: missing"));
  BOOST_TEST(reports(rules + "    - {up_to: 0, algorithm: rhd}\n", "expected an integer from 1"));

  // On six ranks rhd (a power of two) cannot run: its rule gives way; ring's and
  // binomial_tree's partners are installed together.
  std::ofstream("tuned_ccl.yaml") << yaml;
  Simulation sim(kb::test::config("topology.yaml"));
  run_host(sim, [&](RuntimeContext& ctx) {
    const IpcqPlan plan = ctx.install_ipcq("", "tuned_ccl.yaml", 6u);
    BOOST_TEST(plan.config.algorithm_for(Collective::all_reduce, 1) == "binomial_tree");
    for (std::uint32_t r = 0; r < plan.world_size; ++r) {
      std::set<std::uint32_t> want;
      for (const char* a : {"ring", "binomial_tree"}) {
        for (std::uint32_t n : ccl_algorithm(a).neighbours(r, plan)) want.insert(n);
      }
      const std::set<std::uint32_t> got(plan.neighbours[r].begin(), plan.neighbours[r].end());
      BOOST_TEST((got == want), "rank " << r);
    }
  });
}

BOOST_AUTO_TEST_CASE(hierarchical_levels_choose_a_phase_algorithm_per_level) {
  const CclConfig config =
      load_ccl_text("algorithms: {ring: {}, hierarchical: {levels: [ring, rhd]}}\n", "ccl.yaml");
  // The levels are hierarchical's whichever algorithm resolves (a tuning table may pick it).
  BOOST_TEST((config.resolve("hierarchical").levels == std::vector<std::string>{"ring", "rhd"}));
  BOOST_TEST((config.resolve("ring").levels == std::vector<std::string>{"ring", "rhd"}));
  BOOST_TEST(load_ccl_text("algorithms: {hierarchical: {}}\n", "c")
                 .resolve("hierarchical")
                 .levels.empty());
  BOOST_TEST(reports("algorithms:\n  ring: {levels: [ring]}\n",
                     "ccl.yaml:2:18: error: algorithms.ring.levels: only hierarchical runs "
                     "level by level"));
  BOOST_TEST(reports("algorithms:\n  hierarchical: {levels: [ring, tree]}\n",
                     "ccl.yaml:2:33: error: algorithms.hierarchical.levels[1]: expected ring or "
                     "rhd, got 'tree'"));
  BOOST_TEST(reports("algorithms:\n  hierarchical: {levels: ring}\n",
                     "algorithms.hierarchical.levels: expected a list of 1 to 6"));
  BOOST_TEST(
      reports("algorithms:\n  hierarchical: {levels: [ring, ring, ring, ring, ring, "
              "ring, ring]}\n",
              "expected a list of 1 to 6"));

  // On the default machine (16 cubes of 8 PEs) rank 0 exchanges with the ranks of its cube
  // and the other cubes' first ranks: its groups of both levels, whose every member is a
  // partner of the all-to-all, whichever phase algorithm the levels run. rhd on a level
  // that is not 2^k ranks: a clear error at install.
  Simulation sim(kb::test::config("topology.yaml"));
  std::ofstream("levels_ccl.yaml") << "algorithms: {hierarchical: {levels: [ring, rhd]}}\n";
  std::ofstream("levels_ring.yaml") << "algorithms: {hierarchical: {}}\n";
  run_host(sim, [&](RuntimeContext& ctx) {
    std::vector<std::uint32_t> groups;
    for (std::uint32_t r = 1; r < 8; ++r) groups.push_back(r);
    for (std::uint32_t r = 8; r < 128; r += 8) groups.push_back(r);
    for (const char* file : {"levels_ccl.yaml", "levels_ring.yaml"}) {
      const IpcqPlan plan = ctx.install_ipcq("hierarchical", file);
      BOOST_TEST(plan.world_size == 128u);
      BOOST_TEST((plan.neighbours[0] == groups), file);
    }
    std::ofstream("levels_odd.yaml") << "algorithms: {hierarchical: {levels: [rhd]}}\n";
    try {
      ctx.install_ipcq("hierarchical", "levels_odd.yaml", 6u);
      BOOST_ERROR("rhd over a cube of 6 ranks installed");
    } catch (const std::invalid_argument& e) {
      BOOST_TEST(std::string(e.what()).find("levels[0] is rhd, which needs 2^k ranks") !=
                     std::string::npos,
                 e.what());
    }
  });
}

BOOST_AUTO_TEST_CASE(a_partition_places_each_rank_once_and_rejects_bad_groups) {
  const Partition p({{4, 1}, {0, 5}, {7, 2}});
  BOOST_TEST(p.group_size() == 2u);
  for (std::uint32_t r : {0U, 1U, 2U, 4U, 5U, 7U}) {
    const auto place = p.place(r);
    BOOST_REQUIRE(place.has_value());
    BOOST_TEST((*place->members)[place->index] == r);
  }
  BOOST_TEST(!p.place(3).has_value());  // between members, in no group
  BOOST_TEST(!p.place(8).has_value());  // beyond every member
  BOOST_CHECK_THROW(Partition({}), std::invalid_argument);
  BOOST_CHECK_THROW(Partition({{0, 1}, {2}}), std::invalid_argument);
  BOOST_CHECK_THROW(Partition({{0, 1}, {1, 2}}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(flow_tracks_readiness_in_parts_that_fit_the_chunks) {
  IpcqPlan plan;
  plan.piece_bytes = 256;
  const std::int64_t piece = plan.piece_elements(DType::f32);
  using kb::models::Fidelity;
  const std::int64_t limit = RankComm::kFlowParts;
  for (const std::int64_t pieces : {std::int64_t{1}, 100 * limit, 1001 * limit + 7}) {
    const std::int64_t n = pieces * piece;
    BOOST_TEST(RankComm::tracked_elements(plan, DType::f32, Fidelity::transaction, n, 0) == piece);
    // Without chunks: whole pieces, at most kFlowParts parts of the buffer.
    const std::int64_t plain = RankComm::tracked_elements(plan, DType::f32, Fidelity::flow, n, 0);
    BOOST_TEST(plain % piece == 0);
    BOOST_TEST((n + plain - 1) / plain <= limit);
    if (pieces > limit) BOOST_TEST((n + plain - 1) / plain > limit / 2);
    for (const std::int64_t chunk_pieces : {std::int64_t{1}, std::int64_t{3}, plain / piece / 2,
                                            plain / piece * 6, plain / piece * 6 + 1}) {
      const std::int64_t chunk = chunk_pieces * piece;
      if (chunk <= 0 || chunk > n) continue;
      const std::int64_t t = RankComm::tracked_elements(plan, DType::f32, Fidelity::flow, n, chunk);
      BOOST_TEST(t % piece == 0, "chunk " << chunk);
      BOOST_TEST(t <= plain, "chunk " << chunk);  // never more coarsely than without chunks
      // Parts within chunks where whole pieces divide a chunk into parts at least half as
      // large as without chunks; else as without chunks.
      if (chunk <= plain) {
        BOOST_TEST(t == chunk);
      } else if (chunk % t == 0) {
        BOOST_TEST(2 * t >= plain, "chunk " << chunk);
      } else {
        BOOST_TEST(t == plain, "chunk " << chunk);
      }
    }
    // A chunk that is not whole pieces: as without chunks.
    BOOST_TEST(RankComm::tracked_elements(plan, DType::f32, Fidelity::flow, n, piece + 1) == plain);
  }
}

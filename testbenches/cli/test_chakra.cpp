// The chakra bench end to end (docs/workload-traces.md), on traces built here: every node
// type runs on two ranks with the counts the files give, collectives never beat their
// bounds, a single-rank trace replicates, broken files and impossible traces are usage
// errors that say where, and an llm step written with --chakra-out reads back with the
// same nodes and dependencies.
#define BOOST_TEST_MODULE chakra
#include "runtime/trace/chakra_trace.h"
#include "testbenches/cli/kernbench_process.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

using namespace kb::chakra;
using kb::test::configs;
using kb::test::kernbench;
using kb::test::read_json;
using kb::test::Result;

namespace {

void write(const std::string& path, const Trace& t) {
  std::ofstream(path, std::ios::binary) << serialize_trace(t);
}

Node node(std::uint64_t id, int type, std::vector<std::uint64_t> deps = {}) {
  Node n;
  n.id = id;
  n.name = "n" + std::to_string(id);
  n.type = type;
  n.data_deps = std::move(deps);
  return n;
}

Node coll(std::uint64_t id, int comm, std::uint64_t bytes, std::vector<std::uint64_t> deps) {
  Node n = node(id, kCommCollNode, std::move(deps));
  n.comm_type = comm;
  if (comm != kBarrier) n.comm_size = bytes;
  return n;
}

// Rank r of a two-rank trace with every node type: compute (recorded, and a matmul with
// shapes), a CPU op, each supported collective and an unsupported one, a transfer to the
// other rank, HBM loads and stores, a dependency on an id not in the file, and a control
// dependency.
Trace every_type(std::uint32_t rank) {
  Trace t;
  t.version = "0.0.4";
  Node comp = node(1, kCompNode);
  comp.duration_micros = 3;
  Node mm = node(2, kCompNode, {1, 999});
  mm.name = "aten::mm";
  mm.input_shapes = "[[256, 512], [512, 128]]";
  mm.input_types = "['Tensor(float)', 'Tensor(float)']";
  mm.duration_micros = 50;
  Node cpu = node(3, kCompNode);
  cpu.is_cpu_op = true;
  cpu.duration_micros = 2;
  cpu.ctrl_deps = {1};
  t.nodes = {comp, mm, cpu};
  t.nodes.push_back(coll(4, kAllReduce, 64 << 10, {2}));
  t.nodes.push_back(coll(5, kAllGather, 64 << 10, {4}));
  t.nodes.push_back(coll(6, kReduceScatter, 64 << 10, {5}));
  t.nodes.push_back(coll(7, kBroadcast, 32 << 10, {6}));
  t.nodes.push_back(coll(8, kAllToAll, 64 << 10, {7}));
  t.nodes.push_back(coll(9, kBarrier, 0, {8}));
  t.nodes.push_back(coll(10, kGather, 4096, {9}));
  Node p2p = node(11, rank == 0 ? kCommSendNode : kCommRecvNode, {3});
  (rank == 0 ? p2p.comm_dst : p2p.comm_src) = 1 - rank;
  p2p.comm_size = 16 << 10;
  t.nodes.push_back(p2p);
  Node load = node(12, kMemLoadNode, {11});
  load.tensor_size = 1 << 20;
  Node store = node(13, kMemStoreNode, {12});
  store.tensor_size = 1 << 20;
  t.nodes.push_back(load);
  t.nodes.push_back(store);
  return t;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Runs kernbench with `args`, which must be a usage error (exit 2) saying every one of
// `parts`.
void refused(const std::string& args, std::initializer_list<std::string> parts) {
  const Result r = kernbench(args);
  BOOST_TEST(r.code == 2, args);
  for (const std::string& part : parts) BOOST_TEST(contains(r.output, part), r.output);
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_node_type_runs_with_the_files_counts) {
  for (const std::string unit : {"sip", "cube", "pe"}) {
    for (std::uint32_t r = 0; r < 2; ++r)
      write("every." + std::to_string(r) + ".et", every_type(r));
    const std::string topology = unit == "sip" ? "--set system.sips.count=2 " : "";
    for (const std::string comp : {"duration", "model"}) {
      const Result run =
          kernbench("run chakra " + topology + "--param trace=every --param rank_unit=" + unit +
                    " --param comp=" + comp + " --report r.json");
      BOOST_TEST_REQUIRE(run.code == 0, run.output);
      const auto c = read_json("r.json")["chakra"];
      BOOST_TEST(c["ranks"] == 2);
      BOOST_TEST(c["nodes"] == 26);
      BOOST_TEST(c["nodes_by_type"]["COMM_COLL_NODE"] == 14);
      BOOST_TEST(c["nodes_by_type"]["COMP_NODE"] == 6);
      BOOST_TEST(c["nodes_by_type"]["COMM_SEND_NODE"] == 1);
      BOOST_TEST(c["nodes_by_type"]["MEM_STORE_NODE"] == 2);
      // Per rank: 64 KiB x 4 + 32 KiB + 4 KiB (the gather, counted, not run); 16 KiB sent once.
      BOOST_TEST(c["comm_bytes"] == 2 * (4 * (64 << 10) + (32 << 10) + 4096) + (16 << 10));
      BOOST_TEST(c["missing_deps"] == 2);
      BOOST_TEST(c["cpu_ops"] == 2);
      BOOST_TEST(c["unsupported"]["COMM_COLL_NODE GATHER"] == 2);
      BOOST_TEST(c["comp_modelled"] == (comp == "model" ? 2 : 0));
      BOOST_TEST(c["finish_ns"].size() == 2u);
      BOOST_TEST(c["collectives"].size() == 6u);  // each of the six collectives, both ranks
      for (const auto& k : c["collectives"]) {
        BOOST_TEST(k["ns"].get<double>() >= k["bound_ns"].get<double>(), k.dump());
      }
      BOOST_TEST(c["comp_ns"].get<double>() > 0);
    }
  }
}

// Every collective of a trace against its bound, as a whole: ranks of every unit, on the
// inter-SIP links too, with faster ports, slower hops and other algorithms.
BOOST_AUTO_TEST_CASE(collectives_never_beat_their_bounds) {
  for (int comm : {kAllReduce, kAllGather, kReduceScatter, kAllToAll, kBroadcast}) {
    for (std::uint32_t r = 0; r < 8; ++r) {
      Trace t;
      t.nodes = {coll(0, comm, 1 << 20, {}), coll(1, comm, 8 << 10, {0})};
      write("coll." + std::to_string(r) + ".et", t);
    }
    for (const std::string v :
         {"--param rank_unit=cube", "--param rank_unit=cube --set cube.router.bw_gbps=512",
          "--param rank_unit=pe --set cube.router.hop_latency_cycles=20",
          "--set system.sips.count=8 --set system.inter_sip.link.latency_ns=2000",
          "--set system.sips.count=8 --set system.inter_sip.link.bw_gbps=400",
          "--param rank_unit=cube --param algorithm="}) {
      // rhd where it applies; binomial_tree broadcasts.
      const std::string args =
          v.back() == '=' ? v + (comm == kBroadcast ? "binomial_tree" : "rhd") : v;
      const Result run =
          kernbench("run chakra --param trace=coll --timing-only --report r.json " + args);
      BOOST_TEST_REQUIRE(run.code == 0, run.output);
      const auto report = read_json("r.json");
      BOOST_TEST(report["chakra"]["collectives"].size() == 2u);
      for (const auto& k : report["chakra"]["collectives"]) {
        BOOST_TEST(k["ns"].get<double>() >= k["bound_ns"].get<double>(), args << ": " << k.dump());
      }
      BOOST_TEST(report["efficiency"].get<double>() <= 1.0, args);
    }
  }
}

// comm_size as ASTRA-sim reads it: an all-gather's is each rank's part (the output is ranks
// times it), a reduce-scatter's its input. On a ring of 8 SIPs (100 GB/s, 500 ns) a ring
// all-gather of 1 MiB parts takes 7 steps of 1 MiB over one link each: at least 7 x
// (1,048,576 B / 100 GB/s + 500 ns) = 76.9 us (ASTRA-sim 2.x: 76.98 us on the same trace);
// a reduce-scatter of a 1 MiB input moves an eighth of it per step.
BOOST_AUTO_TEST_CASE(collective_sizes_are_read_as_astra_sim_reads_them) {
  for (const auto& [comm, at_least, below] :
       {std::tuple{kAllGather, 7 * (1048576 / 100.0 + 500), 1e9},
        std::tuple{kReduceScatter, 7 * (1048576 / 800.0 + 500), 7 * (1048576 / 100.0)}}) {
    for (std::uint32_t r = 0; r < 8; ++r) {
      Trace t;
      t.nodes = {coll(0, comm, 1 << 20, {})};
      write("sizes." + std::to_string(r) + ".et", t);
    }
    const Result run = kernbench(
        "run chakra --param trace=sizes --timing-only --report r.json --set system.sips.count=8");
    BOOST_TEST_REQUIRE(run.code == 0, run.output);
    const auto k = read_json("r.json")["chakra"]["collectives"][0];
    BOOST_TEST(k["bytes"].get<double>() == 1048576.0);
    BOOST_TEST(k["ns"].get<double>() >= at_least, k.dump());
    BOOST_TEST(k["ns"].get<double>() < below, k.dump());
  }
}

// Same trace, same simulated time, bit for bit, functional or timing-only; the timeline
// has a track per rank.
BOOST_AUTO_TEST_CASE(replays_are_deterministic_and_each_rank_has_a_timeline_track) {
  for (std::uint32_t r = 0; r < 2; ++r) write("det." + std::to_string(r) + ".et", every_type(r));
  const std::string run = "run chakra --param trace=det --param rank_unit=cube ";
  BOOST_TEST_REQUIRE(kernbench(run + "--report a.json --timeline t.json").code == 0);
  BOOST_TEST_REQUIRE(kernbench(run + "--report b.json").code == 0);
  BOOST_TEST_REQUIRE(kernbench(run + "--report c.json --timing-only").code == 0);
  const auto a = read_json("a.json"), b = read_json("b.json"), c = read_json("c.json");
  BOOST_TEST(a["sim_time_ns"].get<double>() == b["sim_time_ns"].get<double>());
  BOOST_TEST(a["sim_time_ns"].get<double>() == c["sim_time_ns"].get<double>());
  BOOST_TEST(a["chakra"] == c["chakra"]);
  std::set<std::string> tracks;
  const auto timeline = read_json("t.json");
  for (const auto& e : timeline["traceEvents"]) {
    if (e["ph"] == "M" && e.contains("args") && e["args"].contains("name")) {
      tracks.insert(e["args"]["name"].get<std::string>());
    }
  }
  BOOST_TEST(tracks.count("rank0") == 1u);
  BOOST_TEST(tracks.count("rank1") == 1u);
}

BOOST_AUTO_TEST_CASE(the_recorded_time_of_compute_is_what_a_rank_takes) {
  Trace t;
  for (std::uint64_t i = 0; i < 4; ++i) {
    Node n = node(i, kCompNode, i == 0 ? std::vector<std::uint64_t>{} : std::vector{i - 1});
    n.duration_micros = 10;
    t.nodes.push_back(n);
  }
  write("chain.0.et", t);
  for (const std::string scale : {"1.0", "2.5"}) {
    const Result run = kernbench("run chakra --param trace=chain --param comp_scale=" + scale +
                                 " --report r.json");
    BOOST_TEST_REQUIRE(run.code == 0, run.output);
    const double want = 4 * 10e3 * std::stod(scale);
    const auto c = read_json("r.json")["chakra"];
    // Four chained 10 us kernels, scaled, plus four launches of a few us at most.
    BOOST_TEST(c["finish_ns"][0].get<double>() >= want);
    BOOST_TEST(c["finish_ns"][0].get<double>() <= want + 4 * 5e3);
    BOOST_TEST(c["comp_ns"].get<double>() >= want);
  }
}

// comp=model on one SIP of the default machine, worked out here from the topology keys:
// a 2048^3 f32 matmul is 2 x 2048^3 FLOPs at 2 x 128 PEs x macs_per_cycle_f32 x freq per
// ns; an add of two 4M-element f32 tensors moves 48 MiB at min(128 PEs x router bw, 16
// cubes x 8 slices x slice bw) bytes per ns. Each runs for the larger of what it does, so
// a rank's finish is at least their sum, and within a launch each of it.
BOOST_AUTO_TEST_CASE(modelled_compute_takes_its_flops_and_bytes_at_the_machines_peak) {
  Trace t;
  Node mm = node(0, kCompNode);
  mm.name = "aten::mm";
  mm.input_shapes = "[[2048, 2048], [2048, 2048]]";
  mm.input_types = "['Tensor(float)', 'Tensor(float)']";
  mm.output_shapes = "[[2048, 2048]]";
  Node add = node(1, kCompNode, {0});
  add.name = "aten::add";
  add.input_shapes = "[[4096, 1024], [4096, 1024], []]";
  add.output_shapes = "[[4096, 1024]]";
  add.duration_micros = mm.duration_micros = 1;
  t.nodes = {mm, add};
  write("model.0.et", t);
  const Result show = kernbench("topology show --json");
  BOOST_TEST_REQUIRE(show.code == 0);
  const auto cube = nlohmann::json::parse(show.output)["config"]["cube"];
  const auto& core = cube["pe_template"]["components"]["pe_core"]["attrs"];
  const double pes = 16 * 8;
  const double peak_flops =
      2 * pes * core["macs_per_cycle_f32"].get<double>() * core["freq_ghz"].get<double>();
  const double bw = std::min(pes * cube["router"]["bw_gbps"].get<double>(),
                             16 * cube["memory_map"]["hbm_slices_per_cube"].get<double>() *
                                 cube["hbm_slice"]["bw_gbps"].get<double>());
  const double mm_ns = std::max(2.0 * 2048 * 2048 * 2048 / peak_flops, 3 * 2048.0 * 2048 * 4 / bw);
  const double add_ns = 3 * 4096.0 * 1024 * 4 / bw;
  const Result run = kernbench("run chakra --param trace=model --param comp=model --report r.json");
  BOOST_TEST_REQUIRE(run.code == 0, run.output);
  const auto c = read_json("r.json")["chakra"];
  BOOST_TEST(c["comp_modelled"] == 2);
  BOOST_TEST(c["comp_ns"].get<double>() >= mm_ns + add_ns);
  BOOST_TEST(c["comp_ns"].get<double>() <= (mm_ns + add_ns) * 1.01);
  BOOST_TEST(c["finish_ns"][0].get<double>() >= mm_ns + add_ns);
  BOOST_TEST(c["finish_ns"][0].get<double>() <= mm_ns + add_ns + 2 * 5e3);
}

BOOST_AUTO_TEST_CASE(a_single_rank_trace_replicates) {
  Trace t;
  t.nodes = {node(0, kCompNode), coll(1, kAllReduce, 1 << 20, {0})};
  write("one.0.et", t);
  const Result run = kernbench("run chakra --topology " + configs() +
                               "multi_sip.yaml --param trace=one --param ranks=4 --report r.json");
  BOOST_TEST_REQUIRE(run.code == 0, run.output);
  const auto c = read_json("r.json")["chakra"];
  BOOST_TEST(c["ranks"] == 4);
  BOOST_TEST(c["nodes"] == 8);
  BOOST_TEST(c["comm_bytes"] == 4 << 20);
  for (const auto& k : c["collectives"])
    BOOST_TEST(k["ns"].get<double>() >= k["bound_ns"].get<double>());
}

BOOST_AUTO_TEST_CASE(broken_and_impossible_traces_say_where) {
  Trace good;
  good.nodes = {node(0, kCompNode), node(1, kCompNode, {0})};
  const std::string bytes = serialize_trace(good);
  std::ofstream("cut.0.et", std::ios::binary) << bytes.substr(0, bytes.size() - 2);
  refused("run chakra --param trace=cut", {"cut.0.et: byte", "truncated"});

  Trace cycle;
  cycle.nodes = {node(0, kCompNode, {2}), node(1, kCompNode, {0}), node(2, kCompNode, {1})};
  write("cycle.0.et", cycle);
  refused("run chakra --param trace=cycle", {"cycle: r0.0 n0 -> r0.2 n2 -> r0.1 n1 -> r0.0 n0"});

  // A control dependency against the data dependencies is dropped, not a cycle.
  Trace ctrl = cycle;
  ctrl.nodes[0].data_deps.clear();
  ctrl.nodes[0].ctrl_deps = {2};
  write("ctrl.0.et", ctrl);
  const Result r = kernbench("run chakra --param trace=ctrl --report r.json");
  BOOST_TEST_REQUIRE(r.code == 0, r.output);
  BOOST_TEST(read_json("r.json")["chakra"]["ctrl_deps_dropped"] == 1);

  Trace a, b;
  a.nodes = {coll(0, kAllReduce, 4096, {})};
  b.nodes = {coll(0, kAllGather, 4096, {})};
  write("mismatch.0.et", a);
  write("mismatch.1.et", b);
  refused("run chakra --set system.sips.count=2 --param trace=mismatch",
          {"collectives do not match"});

  refused("run chakra --param trace=mismatch",
          {"2 ranks of one sip each: the machine has 1"});  // two SIP ranks on one SIP

  // Sizes are compared as written, before they are rounded to elements: 1000 and 1001 bytes
  // would both be 250 elements.
  a.nodes = {coll(0, kAllReduce, 1000, {})};
  b.nodes = {coll(0, kAllReduce, 1001, {})};
  write("off_by_one.0.et", a);
  write("off_by_one.1.et", b);
  refused("run chakra --set system.sips.count=2 --param trace=off_by_one",
          {"collectives do not match", "1000 bytes", "1001 bytes"});

  // The largest size an attribute holds is refused for what it is, not rounded.
  Trace wraps;
  wraps.nodes = {coll(0, kAllReduce, (std::uint64_t{1} << 63) - 1, {})};
  write("wraps.0.et", wraps);
  write("wraps.1.et", wraps);
  refused("run chakra --set system.sips.count=2 --param trace=wraps", {"address space"});

  write("gap.0.et", good);
  write("gap.2.et", good);
  refused("run chakra --param trace=gap", {"gap.2.et exists but gap.1.et does not"});
  write("far.0.et", good);
  write("far.99999999999999999999999.et", good);
  refused("run chakra --param trace=far",
          {"far.99999999999999999999999.et exists but far.1.et does not"});
  refused("run chakra --param trace=gap --param ranks=1000000000000",
          {"--param ranks=1000000000000: the machine has 1 of rank_unit=sip"});

  Trace huge;
  huge.nodes = {coll(0, kAllReduce, std::uint64_t{1} << 60, {})};
  write("huge.0.et", huge);
  write("huge.1.et", huge);
  refused("run chakra --set system.sips.count=2 --param trace=huge", {"address space"});

  Trace forever;
  forever.nodes = {node(0, kCompNode)};
  forever.nodes[0].duration_micros = std::uint64_t{1} << 62;
  write("forever.0.et", forever);
  refused("run chakra --param trace=forever",
          {"forever.0.et: byte 1: node 0: ", "beyond the simulated time limit"});

  refused("run chakra --param trace=nothing_here", {"no file nothing_here.0.et"});
  refused("run chakra --param trace=gap --param comp_scale=fast", {"comp_scale"});
}

// The llm step on two SIPs (its all-reduces included) written out and read back.
BOOST_AUTO_TEST_CASE(an_exported_llm_step_reads_back_with_its_nodes_and_dependencies) {
  const std::string llm = "run llm --topology " + configs() +
                          "multi_sip.yaml --param model=tiny --param tp=2 --param batch=1 "
                          "--param seq=64 --param layers=2 --timing-only ";
  Result r = kernbench(llm + "--chakra-out llm_step --report out.json");
  BOOST_TEST_REQUIRE(r.code == 0, r.output);
  const auto written = read_json("out.json")["chakra_out"];
  BOOST_TEST(written["ranks"] == 2);
  BOOST_TEST(written["dropped_dependencies"] == 0);
  BOOST_TEST(written["nodes"].get<int>() > 40);
  r = kernbench("run chakra --topology " + configs() +
                "multi_sip.yaml --param trace=llm_step --chakra-out again --report in.json");
  BOOST_TEST_REQUIRE(r.code == 0, r.output);
  const auto read = read_json("in.json");
  BOOST_TEST(read["chakra"]["nodes"] == written["nodes"]);
  BOOST_TEST(read["chakra"]["missing_deps"] == 0);
  BOOST_TEST(read["chakra"]["nodes_by_type"]["COMM_COLL_NODE"].get<int>() > 0);
  BOOST_TEST(read["chakra"]["dependencies"] == written["dependencies"]);
  // Written again: each node where it was, with every dependency it had (ids are the graph
  // indices of each run: map them by position), plus the orders the replay adds (a rank's
  // compute as on one stream, its collectives in trace order).
  const auto again = read["chakra_out"];
  BOOST_TEST(again["nodes"] == written["nodes"]);
  for (int rank = 0; rank < 2; ++rank) {
    const Trace first = read_trace("llm_step." + std::to_string(rank) + ".et");
    const Trace second = read_trace("again." + std::to_string(rank) + ".et");
    BOOST_REQUIRE_EQUAL(first.nodes.size(), second.nodes.size());
    std::map<std::uint64_t, std::uint64_t> id;
    for (std::size_t i = 0; i < first.nodes.size(); ++i) id[first.nodes[i].id] = second.nodes[i].id;
    for (std::size_t i = 0; i < first.nodes.size(); ++i) {
      const Node &x = first.nodes[i], &y = second.nodes[i];
      BOOST_TEST(x.type == y.type);
      BOOST_TEST((x.comm_type == y.comm_type));
      BOOST_TEST((x.comm_size <= y.comm_size));  // whole f32 elements per PE
      BOOST_TEST(contains(y.name, x.name), y.name);
      for (std::uint64_t d : x.data_deps) {
        const auto& deps = y.data_deps;
        BOOST_TEST((std::find(deps.begin(), deps.end(), id.at(d)) != deps.end()), x.name);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_trace_without_nodes_has_nothing_to_write_and_says_so) {
  write("empty.0.et", Trace{});
  refused("run chakra --topology " + configs() +
              "tiny.yaml --param trace=empty --chakra-out again --report empty.json",
          {"--chakra-out again", "no node", "no trace to write"});
  BOOST_TEST(!std::ifstream("again.0.et"));
  BOOST_TEST(!std::ifstream("empty.json"));  // nothing is written half
}

// A written node records its own time, its kernels' span, not its launch's trips: the replay
// launches each node again, so a step replays near the time it took (the rest of the gap:
// nodes that ran side by side replay one after another, and durations are whole
// microseconds).
BOOST_AUTO_TEST_CASE(an_exported_step_replays_near_its_own_time) {
  // One SIP, and tensor-parallel over four: the replay keeps the step's independent
  // kernels independent and times each to the picosecond, so it comes within 5 %.
  const std::string multi_sip = " --topology " + configs() + "multi_sip.yaml";
  for (const auto& [step_args, topology] :
       {std::pair<std::string, std::string>{"--param batch=8 --param seq=512", ""},
        {"--param tp=4" + multi_sip, multi_sip}}) {
    // A prefix per case: a replay takes every rank file of its prefix.
    const std::string prefix = topology.empty() ? "one_sip" : "four_sips";
    Result r = kernbench("run llm --param model=llama2-7b --param layers=2 --timing-only " +
                         step_args + " --chakra-out " + prefix + " --report step.json");
    BOOST_TEST_REQUIRE(r.code == 0, r.output);
    const double step = read_json("step.json")["llm"]["tpot_ns"].get<double>();
    r = kernbench("run chakra --param trace=" + prefix + " --timing-only --report replay.json" +
                  topology);
    BOOST_TEST_REQUIRE(r.code == 0, r.output);
    const double replay = read_json("replay.json")["kernel_time_ns"].get<double>();
    BOOST_TEST(std::abs(replay / step - 1) <= 0.05,
               step_args << ": replay " << replay << " ns, step " << step << " ns");
  }
}

// A 2 x 2 tensor- x data-parallel trace (ASTRA-sim's pg_name): ranks 0, 1 and 2, 3 all-reduce
// in their tensor-parallel groups "1" and "2", then 0, 2 and 1, 3 in the data-parallel "3"
// and "4". Each collective runs inside its group (the report lists four, of two ranks each),
// as fast as the same all-reduce in a two-rank trace (the groups use disjoint links), and with the
// groups given by an ASTRA-sim communicator-group file the same; a pg_name the file lacks, or a
// rank outside its group, is an error naming the node.
BOOST_AUTO_TEST_CASE(communicator_groups_run_each_collective_inside_its_group) {
  const std::uint64_t tp_bytes = 1 << 20, dp_bytes = 256 << 10;
  for (std::uint32_t r = 0; r < 4; ++r) {
    Trace t;
    t.nodes = {coll(0, kAllReduce, tp_bytes, {}), coll(1, kAllReduce, dp_bytes, {0})};
    t.nodes[0].pg_name = r < 2 ? "1" : "2";
    t.nodes[1].pg_name = r % 2 == 0 ? "3" : "4";
    write("tpdp." + std::to_string(r) + ".et", t);
  }
  for (std::uint32_t r = 0; r < 2; ++r) {
    Trace t;
    t.nodes = {coll(0, kAllReduce, tp_bytes, {}), coll(1, kAllReduce, dp_bytes, {0})};
    write("pair." + std::to_string(r) + ".et", t);
  }
  std::ofstream("groups.json") << R"({"1": [0, 1], "2": [2, 3], "3": [0, 2], "4": [1, 3]})";
  // Every pair of SIPs joined directly, so that a group of SIPs 0 and 2 is as near as one of
  // 0 and 1 (on a ring they are two hops apart).
  const std::string machine = " --timing-only --report r.json --topology " + configs() +
                              "multi_sip.yaml --set system.inter_sip.topology=fully_connected";
  auto collectives = [&](const std::string& args) {
    const Result run = kernbench("run chakra " + args + machine);
    BOOST_TEST_REQUIRE(run.code == 0, run.output);
    return read_json("r.json")["chakra"]["collectives"];
  };
  const auto pair = collectives("--param trace=pair");
  for (const std::string groups : {"", " --param comm_groups=groups.json"}) {
    const auto grouped = collectives("--param trace=tpdp" + groups);
    BOOST_TEST_REQUIRE(grouped.size() == 4u, grouped.dump());
    for (const auto& c : grouped) {
      BOOST_TEST(c["ranks"].get<int>() == 2, c.dump());
      const bool tp = c["group"] == "1" || c["group"] == "2";
      BOOST_TEST(c["bytes"].get<std::uint64_t>() == (tp ? tp_bytes : dp_bytes), c.dump());
      const double alone = pair[tp ? 0 : 1]["ns"].get<double>();
      BOOST_TEST(c["ns"].get<double>() == alone, boost::test_tools::tolerance(0.05));
      BOOST_TEST(c["ns"].get<double>() >= c["bound_ns"].get<double>(), c.dump());
    }
  }
  std::ofstream("few.json") << R"({"1": [0, 1], "2": [2, 3], "3": [0, 2]})";
  Result bad = kernbench("run chakra --param trace=tpdp --param comm_groups=few.json" + machine);
  BOOST_TEST(bad.code == 2);
  BOOST_TEST(
      bad.output.find("pg_name '4' is no group of the comm_groups file") != std::string::npos,
      bad.output);
  std::ofstream("wrong.json") << R"({"1": [0, 1], "2": [2, 3], "3": [0, 1], "4": [1, 3]})";
  bad = kernbench("run chakra --param trace=tpdp --param comm_groups=wrong.json" + machine);
  BOOST_TEST(bad.code == 2);
  BOOST_TEST(bad.output.find("rank 2 is not in its group '3' (ranks 0, 1)") != std::string::npos,
             bad.output);
}

// Over 1,024 ranks (pairwise's full mesh would need a queue per pair) a trace installs the
// hierarchical algorithm's queues, its groups' and its sends': 1,152 PEs of
// configs/three_level.yaml as 4 x 8 x 9 SIPs, each rank an all-to-all and a barrier among
// all, an all-reduce with the rank beside it (pg_name) and a send to it.
BOOST_AUTO_TEST_CASE(a_trace_of_more_ranks_than_a_full_mesh_holds_runs) {
  constexpr std::uint32_t kRanks = 1152;
  for (std::uint32_t r = 0; r < kRanks; ++r) {
    Trace t;
    t.nodes = {coll(0, kAllToAll, kRanks * 16, {}), coll(1, kBarrier, 0, {0}),
               coll(2, kAllReduce, 4096, {1})};
    t.nodes[2].pg_name = "pair" + std::to_string(r / 2);
    Node p2p = node(3, r % 2 == 0 ? kCommSendNode : kCommRecvNode, {2});
    (r % 2 == 0 ? p2p.comm_dst : p2p.comm_src) = r ^ 1;
    p2p.comm_size = 4096;
    t.nodes.push_back(p2p);
    write("wide." + std::to_string(r) + ".et", t);
  }
  const Result run =
      kernbench("run chakra --param trace=wide --param rank_unit=pe --topology " + configs() +
                "three_level.yaml --set system.inter_sip.levels.2.size=9 "
                "--timing-only --quiet --report wide.json");
  BOOST_TEST_REQUIRE(run.code == 0, run.output);
  const auto c = read_json("wide.json")["chakra"];
  BOOST_TEST(c["ranks"] == kRanks);
  std::map<std::string, int> seen;
  for (const auto& k : c["collectives"]) {
    ++seen[k["collective"].get<std::string>() + "/" + std::to_string(k["ranks"].get<int>())];
    BOOST_TEST(k["ns"].get<double>() >= k["bound_ns"].get<double>(), k.dump());
  }
  BOOST_TEST(seen["all_to_all/1152"] == 1, c["collectives"].dump());
  BOOST_TEST(seen["barrier/1152"] == 1);
  BOOST_TEST(seen["all_reduce/2"] == static_cast<int>(kRanks / 2));
}

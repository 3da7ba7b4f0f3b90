// The `kernbench run` contract (README, "Outputs"): report keys, determinism, timing-only, the
// timeline and VCD outputs, every bench at small sizes, and the exit codes.
#define BOOST_TEST_MODULE run_contract
#include "testbenches/cli/kernbench_process.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

using kb::test::configs;
using kb::test::env;
using kb::test::kernbench;
using kb::test::read_json;
using kb::test::Result;

namespace {

const std::string kSmallGemm = "run gemm --param M=512 --param N=512 --param K=512 --quiet";

// The path of every number in `j` that no entry of `units` (dotted paths, `*` for any one
// key or index) covers.
void uncovered(const nlohmann::json& j, const std::vector<std::vector<std::string>>& patterns,
               const std::string& path, std::set<std::string>& out) {
  if (j.is_object() || j.is_array()) {
    std::size_t index = 0;
    for (auto it = j.begin(); it != j.end(); ++it, ++index) {
      const std::string key = j.is_object() ? it.key() : std::to_string(index);
      if (path.empty() && key == "units") continue;
      std::vector<std::vector<std::string>> next;
      for (const auto& p : patterns) {
        if (!p.empty() && (p.front() == key || p.front() == "*"))
          next.emplace_back(p.begin() + 1, p.end());
      }
      uncovered(*it, next, path.empty() ? key : path + "." + key, out);
    }
  } else if (j.is_number()) {
    const bool covered =
        std::any_of(patterns.begin(), patterns.end(), [](const auto& p) { return p.empty(); });
    if (!covered) out.insert(path);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(report_has_every_contract_key) {
  const Result r = kernbench(kSmallGemm + " --report report.json");
  BOOST_REQUIRE_MESSAGE(r.code == 0, r.output);
  const nlohmann::json j = read_json("report.json");
  for (const char* key :
       {"bench", "params", "topology", "timing_only", "fidelity", "sim_time_ns", "wall_s",
        "sim_speed", "kernels", "bound", "efficiency", "verify", "components"}) {
    BOOST_TEST(j.contains(key), key);
  }
  for (const char* key : {"file", "sips", "cubes_per_sip", "pes_per_cube", "world_size"}) {
    BOOST_TEST(j["topology"].contains(key), key);
  }
  for (const char* key : {"model", "time_ns", "limiter", "terms"}) {
    BOOST_TEST(j["bound"].contains(key), key);
  }
  BOOST_TEST(j["bound"]["terms"].contains(j["bound"]["limiter"].get<std::string>()));
  for (const char* key : {"resource", "busy_ns", "utilization"}) {
    BOOST_TEST(j["bottleneck"].contains(key), key);
  }
  BOOST_TEST(j["bottleneck"]["utilization"].get<double>() > 0.0);
  // The span holds every PE's kernel and the launch's skew.
  const auto& pe = j["kernel_per_pe_ns"];
  BOOST_TEST(pe["min"].get<double>() <= pe["mean"].get<double>());
  BOOST_TEST(pe["mean"].get<double>() <= pe["max"].get<double>());
  BOOST_TEST(pe["max"].get<double>() <= j["kernel_time_ns"].get<double>());
  BOOST_TEST(j["launch_skew_ns"].get<double>() > 0.0);
  BOOST_TEST(j["kernel_time_ns"].get<double>() <=
             pe["max"].get<double>() + j["launch_skew_ns"].get<double>());
  BOOST_TEST(j["bottleneck"]["utilization"].get<double>() <= 1.0);
  for (const char* key : {"transactions", "transactions_per_s", "sim_ns_per_wall_s"}) {
    BOOST_TEST(j["sim_speed"].contains(key), key);
  }
  BOOST_TEST(j["bench"] == "gemm");
  BOOST_TEST(j["params"]["M"] == "512");
  BOOST_TEST(j["topology"]["world_size"] == 128);
  BOOST_REQUIRE(!j["kernels"].empty());
  for (const char* key : {"name", "sip", "start_ns", "end_ns"})
    BOOST_TEST(j["kernels"][0].contains(key), key);
  BOOST_TEST(j["kernels"][0]["end_ns"].get<double>() > j["kernels"][0]["start_ns"].get<double>());
  BOOST_TEST(j["bound"].contains("model"));
  BOOST_TEST(j["bound"]["time_ns"].get<double>() > 0);
  BOOST_TEST(j["efficiency"].get<double>() > 0);
  BOOST_TEST(j["efficiency"].get<double>() <= 1.0);
  BOOST_TEST(j["verify"]["ok"] == true);
  BOOST_TEST(j["verify"].contains("max_abs_err"));
  BOOST_TEST(j["sim_time_ns"].get<double>() > 0);
  BOOST_REQUIRE(!j["components"].empty());
  for (const auto& [path, c] : j["components"].items()) {
    for (const char* key : {"bytes", "transactions", "busy_ns", "utilization"})
      BOOST_TEST(c.contains(key), path << " " << key);
    BOOST_TEST(c["utilization"].get<double>() <= 1.0, path);
  }
  BOOST_TEST(r.output.find("efficiency") != std::string::npos);
  BOOST_TEST(r.output.find("verify      ok") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(same_run_twice_and_timing_only_give_the_same_simulated_time) {
  BOOST_REQUIRE(kernbench(kSmallGemm + " --report a.json").code == 0);
  BOOST_REQUIRE(kernbench(kSmallGemm + " --report b.json").code == 0);
  BOOST_REQUIRE(kernbench(kSmallGemm + " --report c.json --timing-only").code == 0);
  const double a = read_json("a.json")["sim_time_ns"], b = read_json("b.json")["sim_time_ns"];
  const nlohmann::json c = read_json("c.json");
  BOOST_TEST(a == b);
  BOOST_TEST(c["sim_time_ns"].get<double>() == a);
  BOOST_TEST(c["verify"]["skipped"] == true);
  BOOST_TEST(read_json("a.json")["kernels"] == c["kernels"]);
}

// A run busy enough to fill the timeline's budget for observed transfers (a 4 MiB all-reduce
// over 128 PEs books well over 250,000) still has its own slices: every PE's kernel and the
// host's messages; what was dropped is counted.
BOOST_AUTO_TEST_CASE(a_timeline_full_of_transfers_keeps_every_kernel_slice) {
  const Result r =
      kernbench("run allreduce --param bytes=4M --timing-only --quiet --timeline busy.json");
  BOOST_REQUIRE_MESSAGE(r.code == 0, r.output);
  const nlohmann::json t = read_json("busy.json");
  BOOST_TEST(t["metadata"]["dropped_events"].get<std::uint64_t>() > 0u);
  std::map<std::string, std::size_t> slices;
  for (const auto& e : t["traceEvents"]) {
    if (e["ph"] == "X") ++slices[e["cat"].get<std::string>()];
  }
  BOOST_TEST(slices["kernel"] == 128u);
  BOOST_TEST(slices["MemoryWrite"] == 128u);
  BOOST_TEST(slices["MemoryRead"] == 128u);
  BOOST_TEST(slices["transfer"] <= 250000u);
}

BOOST_AUTO_TEST_CASE(timeline_is_trace_event_json_with_slices_on_several_tracks) {
  const Result r = kernbench(kSmallGemm + " --timeline timeline.json");
  BOOST_REQUIRE_MESSAGE(r.code == 0, r.output);
  const nlohmann::json t = read_json("timeline.json");
  BOOST_REQUIRE(t["traceEvents"].is_array());
  std::set<std::pair<int, int>> slice_tracks;
  std::set<std::string> categories;
  std::size_t names = 0;
  for (const auto& e : t["traceEvents"]) {
    BOOST_REQUIRE(e.contains("ph"));
    BOOST_REQUIRE(e.contains("pid"));
    if (e["ph"] == "X") {
      BOOST_TEST(e["dur"].get<double>() >= 0);
      BOOST_TEST(e["ts"].is_number());
      slice_tracks.insert({e["pid"].get<int>(), e["tid"].get<int>()});
      categories.insert(e["cat"].get<std::string>());
      if (e["cat"] != "transfer") {  // kernels and messages name their message's ids
        BOOST_TEST(e["args"]["correlation_id"].get<std::string>().rfind("ctx", 0) == 0u);
        BOOST_TEST(!e["args"]["request_id"].get<std::string>().empty());
      }
    }
    if (e["ph"] == "M" && e["name"] == "thread_name") ++names;
  }
  BOOST_TEST(slice_tracks.size() > 10u);
  BOOST_TEST(categories.count("kernel") == 1u);
  BOOST_TEST(categories.count("transfer") == 1u);
  BOOST_TEST(categories.count("KernelLaunch") == 1u);
  BOOST_TEST(names >= slice_tracks.size());
}

BOOST_AUTO_TEST_CASE(vcd_passes_vcd2lxt2) {
  const Result r = kernbench(kSmallGemm + " --vcd waves.vcd --vcd-scope 'system.sip0.cube0.*'");
  BOOST_REQUIRE_MESSAGE(r.code == 0, r.output);
  BOOST_TEST(std::system("vcd2lxt2 waves.vcd /dev/null > vcd2lxt2.log 2>&1") == 0);
  // A scope that selects nothing is the command line's fault, found before the run.
  const Result none = kernbench(kSmallGemm + " --vcd waves.vcd --vcd-scope 'nothing.*'");
  BOOST_TEST(none.code == 2, none.output);
  BOOST_TEST(none.output.find("--vcd-scope 'nothing.*' matches nothing") != std::string::npos);
  BOOST_TEST(none.output.find("simulated") == std::string::npos, none.output);
}

BOOST_AUTO_TEST_CASE(every_bench_verifies_at_small_sizes) {
  const std::string runs[] = {
      "run gemm --param M=256 --param N=256 --param K=384 --param dtype=bf16 --param out=f16",
      "run vector_add --param elements=1M",
      "run vector_add --param elements=64K --param dtype=i32",
      "run memcpy --param bytes=1M",
      "run memcpy --param bytes=1M --param route=cross_sip --topology " + configs() +
          "multi_sip.yaml",
      "run softmax --param rows=512 --param cols=256",
      "run layernorm --param rows=512 --param cols=256 --param dtype=f16",
      "run gemm --param M=64 --param N=64 --param K=64 --topology " + configs() + "tiny.yaml",
      "run gemm --param M=128 --param N=256 --param K=512 --param dtype=f32",
      "run gemm --param M=128 --param N=256 --param K=2048 --param dtype=i8",
      "run allreduce --param bytes=64K --topology " + configs() + "tiny.yaml",
      "run allreduce --param bytes=16K --param algorithm=rhd",
      "run allreduce --param bytes=16K --param algorithm=hierarchical --topology " + configs() +
          "multi_sip.yaml",
      "run allgather --param bytes=64K --topology " + configs() + "tiny.yaml",
      "run reduce_scatter --param bytes=64K --param algorithm=rhd --param dtype=i32 --topology " +
          configs() + "tiny.yaml",
      "run broadcast --param bytes=32K --param algorithm=binomial_tree --topology " + configs() +
          "tiny.yaml",
      "run broadcast --param bytes=32K --topology " + configs() + "tiny.yaml",
  };
  for (const std::string& run : runs) {
    const Result r = kernbench(run + " --quiet --report small.json");
    BOOST_TEST(r.code == 0, run << "\n" << r.output);
    if (r.code == 0) {
      const nlohmann::json j = read_json("small.json");
      BOOST_TEST(j["verify"]["ok"] == true, run);
      BOOST_TEST(j["verify"]["skipped"] == false, run);
    }
  }
}

BOOST_AUTO_TEST_CASE(collective_reports_carry_bus_bandwidth) {
  const Result r =
      kernbench("run allreduce --param bytes=64K --quiet --report coll.json --topology " +
                configs() + "tiny.yaml");
  BOOST_REQUIRE_MESSAGE(r.code == 0, r.output);
  const nlohmann::json j = read_json("coll.json");
  BOOST_TEST(j["algbw_gbps"].get<double>() > 0);
  // nccl-tests: busbw = algbw x 2 (n - 1) / n for all-reduce, n = 4 ranks here.
  BOOST_TEST(j["busbw_gbps"].get<double>() == j["algbw_gbps"].get<double>() * 1.5,
             boost::test_tools::tolerance(1e-9));
  BOOST_TEST(j["bound"]["model"].get<std::string>().find("alpha-beta ring") == 0u);
  BOOST_TEST(j["efficiency"].get<double>() <= 1.0);
}

BOOST_AUTO_TEST_CASE(flow_fidelity_is_stated_verifies_and_takes_fewer_transactions) {
  const std::string run =
      "run allreduce --param bytes=1M --quiet --topology " + configs() + "tiny.yaml";
  const Result t = kernbench(run + " --report t.json");
  const Result f = kernbench(run + " --fidelity flow --report f.json");
  BOOST_REQUIRE_MESSAGE(t.code == 0, t.output);
  BOOST_REQUIRE_MESSAGE(f.code == 0, f.output);
  const nlohmann::json jt = read_json("t.json");
  const nlohmann::json jf = read_json("f.json");
  BOOST_TEST(jt["fidelity"].get<std::string>() == "transaction");
  BOOST_TEST(jf["fidelity"].get<std::string>() == "flow");
  // The data still arrives whole, in a fraction of the transactions.
  BOOST_TEST(!jf["verify"]["skipped"].get<bool>());
  BOOST_TEST(jf["verify"]["ok"].get<bool>());
  BOOST_TEST(jf["sim_speed"]["transactions"].get<double>() * 2 <
             jt["sim_speed"]["transactions"].get<double>());
  BOOST_TEST(jf["efficiency"].get<double>() <= 1.0);

  const Result bad = kernbench(run + " --fidelity fast");
  BOOST_TEST(bad.code == 2);
  BOOST_TEST(bad.output.find("--fidelity") != std::string::npos, bad.output);
  BOOST_TEST(bad.output.find("transaction|flow") != std::string::npos, bad.output);
}

BOOST_AUTO_TEST_CASE(exit_codes_follow_the_contract) {
  const Result bad_param = kernbench("run gemm --param Q=1");
  BOOST_TEST(bad_param.code == 2);
  BOOST_TEST(bad_param.output.find("its parameters are: M, N, K, dtype, out") != std::string::npos,
             bad_param.output);
  const Result bad_value = kernbench("run gemm --param M=lots");
  BOOST_TEST(bad_value.code == 2);
  BOOST_TEST(bad_value.output.find("--param M=lots") != std::string::npos, bad_value.output);
  const Result bad_bench = kernbench("run gem");
  BOOST_TEST(bad_bench.code == 2);
  BOOST_TEST(bad_bench.output.find("did you mean 'gemm'?") != std::string::npos, bad_bench.output);
  const Result bad_set = kernbench("run gemm --set cube.router.bw_gbps=0");
  BOOST_TEST(bad_set.code == 2);
  BOOST_TEST(bad_set.output.find("--set cube.router.bw_gbps=0: error") != std::string::npos,
             bad_set.output);
  const Result bad_file = kernbench("run gemm --topology /nonexistent.yaml");
  BOOST_TEST(bad_file.code == 2);
  // Tensors that do not fit the HBM: refused before the run, naming need and capacity.
  const Result oom = kernbench(
      "run gemm --param M=4096 --param N=4096 --param K=4096 --timing-only --quiet "
      "--set cube.memory_map.hbm_total_gb_per_cube=0.03125");
  BOOST_TEST(oom.code == 2, oom.output);
  BOOST_TEST(oom.output.find("need 6815744 bytes of HBM on sip0.cube0.pe0, whose part of its "
                             "HBM slice holds 4194304") != std::string::npos,
             oom.output);
  BOOST_TEST(oom.output.find("simulated") == std::string::npos, oom.output);
  const Result bad_algorithm = kernbench("run broadcast --param algorithm=rhd");
  BOOST_TEST(bad_algorithm.code == 2);
  BOOST_TEST(bad_algorithm.output.find("does not do broadcast") != std::string::npos,
             bad_algorithm.output);
  BOOST_TEST(kernbench("list").code == 0);
  BOOST_TEST(kernbench("list").output.find("--param elements=16M") != std::string::npos);
}

// docs/collectives.md's worked example (runtime/ccl/algorithms/direct.cpp), run as a user
// would: the bench reports the algorithm's own bound, never above the simulated time.
BOOST_AUTO_TEST_CASE(a_documented_algorithm_runs_with_its_own_bound) {
  const std::string tiny = " --quiet --param bytes=256K --topology " + configs() + "tiny.yaml";
  const Result direct =
      kernbench("run broadcast --param algorithm=direct --report direct.json" + tiny);
  BOOST_REQUIRE_MESSAGE(direct.code == 0, direct.output);
  const Result ring = kernbench("run broadcast --param algorithm=ring --report ring.json" + tiny);
  BOOST_REQUIRE_MESSAGE(ring.code == 0, ring.output);
  const nlohmann::json d = read_json("direct.json"), r = read_json("ring.json");
  BOOST_TEST(d["verify"]["ok"] == true);
  BOOST_TEST(d["bound"]["model"].get<std::string>().find("alpha-beta direct") == 0u);
  // Its own formula: 3 copies of 256 KiB through the root's 128 GB/s port, plus one path.
  BOOST_TEST(d["bound"]["time_ns"].get<double>() >= 3 * 262144 / 128.0);
  BOOST_TEST(d["bound"]["time_ns"].get<double>() != r["bound"]["time_ns"].get<double>());
  BOOST_TEST(d["bound"]["time_ns"].get<double>() <= d["kernel_time_ns"].get<double>());
}

// Every number a report holds has a unit and a description (README, "Outputs"): the
// statistics', the benches' own figures, their parameters' and the topology keys set.
BOOST_AUTO_TEST_CASE(every_figure_of_a_report_has_a_unit) {
  const std::string tiny = " --topology " + configs() + "/tiny.yaml --timing-only --quiet";
  for (const std::string& run :
       {kSmallGemm + " --set cube.hbm_slice.bw_gbps=100", "run allreduce --param bytes=64K" + tiny,
        "run llm --param model=tiny" + tiny,
        std::string("run memcpy --param bytes=1M --timing-only --quiet"),
        "run softmax --param rows=64" + tiny}) {
    const Result r = kernbench(run + " --report units.json");
    BOOST_REQUIRE_MESSAGE(r.code == 0, run << ": " << r.output);
    const nlohmann::json j = read_json("units.json");
    BOOST_REQUIRE(j.contains("units"));
    std::vector<std::vector<std::string>> patterns;
    for (const auto& [path, q] : j["units"].items()) {
      BOOST_TEST(!q["description"].get<std::string>().empty(), path);
      std::vector<std::string> segments;
      std::stringstream in(path);
      for (std::string s; std::getline(in, s, '.');) segments.push_back(s);
      patterns.push_back(std::move(segments));
    }
    std::set<std::string> missing;
    uncovered(j, patterns, "", missing);
    for (const std::string& m : missing) BOOST_ERROR(run << ": no unit for " << m);
    BOOST_TEST(j["units"]["sim_time_ns"]["unit"] == "ns");
    BOOST_TEST(j["units"]["components.*.bytes"]["unit"] == "B");
    if (run.find("--set") != std::string::npos) {
      BOOST_TEST(j["units"]["set.cube.hbm_slice.bw_gbps"]["unit"] == "GB/s");
    }
  }
  BOOST_TEST(read_json("units.json")["units"].contains("params.rows"));  // softmax's, the last
}

BOOST_AUTO_TEST_CASE(list_aligns_every_parameters_description) {
  const Result r = kernbench("list");
  BOOST_REQUIRE(r.code == 0);
  std::set<std::size_t> columns;
  std::stringstream in(r.output);
  std::size_t params = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("    --param ", 0) != 0) continue;
    ++params;
    const std::size_t gap = line.find("  ", 12);  // after NAME=DEFAULT and its padding
    BOOST_REQUIRE_MESSAGE(gap != std::string::npos, line);
    columns.insert(line.find_first_not_of(' ', gap));
  }
  BOOST_TEST(params > 20u);
  BOOST_TEST(columns.size() == 1u);
}

BOOST_AUTO_TEST_CASE(the_llm_bench_names_every_model_preset) {
  const Result r = kernbench("list");
  const std::size_t at = r.output.find("--param model=");
  BOOST_REQUIRE(at != std::string::npos);
  const std::string line = r.output.substr(at, r.output.find('\n', at) - at);
  std::size_t presets = 0;
  for (const auto& file : std::filesystem::directory_iterator(configs() + "/models")) {
    BOOST_TEST(line.find(file.path().stem().string()) != std::string::npos, file.path());
    ++presets;
  }
  BOOST_TEST(presets >= 5u);
}

BOOST_AUTO_TEST_CASE(an_empty_output_path_is_refused_before_the_run) {
  for (const char* option : {"--report", "--timeline", "--vcd", "--chakra-out"}) {
    const Result r = kernbench(std::string("run llm --param model=tiny --topology ") + configs() +
                               "/tiny.yaml --timing-only " + option + " ''");
    BOOST_TEST(r.code == 2, option << ": " << r.output);
    BOOST_TEST(r.output.find(option) != std::string::npos, r.output);
    BOOST_TEST(r.output.find("an empty path names no file") != std::string::npos, r.output);
    BOOST_TEST(r.output.find("simulated") == std::string::npos, r.output);  // nothing ran
  }
}

BOOST_AUTO_TEST_CASE(
    an_output_name_up_to_the_file_systems_limit_works_and_a_longer_one_is_refused) {
  const std::string legal = std::string(250, 'r') + ".json";  // 255: NAME_MAX
  const Result ok = kernbench(kSmallGemm + " --timing-only --report " + legal);
  BOOST_TEST(ok.code == 0, ok.output);
  BOOST_TEST(read_json(legal)["bench"] == "gemm");
  std::remove(legal.c_str());
  const std::string too_long = std::string(251, 'r') + ".json";
  const Result refused = kernbench(kSmallGemm + " --timing-only --report " + too_long);
  BOOST_TEST(refused.code == 2, refused.output);
  BOOST_TEST(refused.output.find("its name is 256 characters; the file system takes at most 255") !=
                 std::string::npos,
             refused.output);
  BOOST_TEST(refused.output.find("simulated") == std::string::npos, refused.output);
}

BOOST_AUTO_TEST_CASE(two_outputs_naming_one_file_are_refused_however_spelt) {
  const std::string run =
      "run llm --param model=tiny --topology " + configs() + "/tiny.yaml --timing-only ";
  const std::pair<std::string, std::string> cases[] = {
      {"--report a.json --timeline ./a.json", "--report and --timeline both write"},
      {"--report x.0.et --chakra-out x", "--report and --chakra-out both write"},
      {"--vcd w.vcd --report w.gtkw", "--report and --vcd (its gtkw) both write"},
      {"--report sub/../b.json --timeline b.json", "--report and --timeline both write"}};
  std::filesystem::create_directories("sub");
  for (const auto& [options, message] : cases) {
    const Result r = kernbench(run + options);
    BOOST_TEST(r.code == 2, options << ": " << r.output);
    BOOST_TEST(r.output.find(message) != std::string::npos, options << ": " << r.output);
    BOOST_TEST(r.output.find("simulated") == std::string::npos, r.output);
  }
}

// Energy, power and area (docs/energy.md), worked out by hand from the topology keys: a
// vector_add's dynamic energy is its bytes times the energies along its path plus its
// vector operations; every energy key moves its own class and nothing else, never a time;
// static energy is the machine's static power times the measured time; the energy bound
// never exceeds the simulated energy; the area is the keys times the machine's counts.
#define BOOST_TEST_MODULE energy
#include "platform/topology/schema.h"
#include "testbenches/cli/kernbench_process.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

using kb::platform::Effect;
using kb::platform::FieldSpec;
using kb::test::configs;
using kb::test::kernbench;
using kb::test::read_json;
using kb::test::two_sip_tiny;
using nlohmann::json;

namespace {

// Runs that together take every action: MACs of every input type, vector operations, TCM and
// SRAM traffic, HBM, mesh and inter-SIP links, IPCQ entries, control messages over the host
// link and the M_CPUs.
const std::vector<std::string> kRuns = {
    "gemm --param M=128 --param N=256 --param K=512",
    "gemm --param M=128 --param N=256 --param K=512 --param dtype=bf16",
    "gemm --param M=128 --param N=256 --param K=512 --param dtype=f32",
    "gemm --param M=128 --param N=256 --param K=512 --param dtype=i8 --param a_in=sram",
    "vector_add --param elements=64K",
    "memcpy --param route=cross_sip --param bytes=64K",
    "allreduce --param bytes=64K",
};

// `set` after the machine's own, so that it may change it.
json run(const std::string& args, const std::string& set = "") {
  const auto r = kernbench("run " + args + " --timing-only --quiet --report energy.json" +
                           two_sip_tiny() + set);
  BOOST_REQUIRE_MESSAGE(r.code == 0, args << set << "\n" << r.output);
  return read_json("energy.json");
}

std::vector<json> run_all(const std::string& set) {
  std::vector<json> out;
  for (const std::string& r : kRuns) out.push_back(run(r, set));
  return out;
}

// The energy class a key's component is charged to (models/common/energy.h).
std::string class_of(const std::string& key) {
  const std::vector<std::pair<std::string, std::string>> prefixes = {
      {"system.inter_sip.link.", "inter_sip"},
      {"system.inter_sip.levels.", "inter_sip"},
      {"system.host_link.", "host"},
      {"sip.mesh_link.", "noc"},
      {"cube.router.", "noc"},
      {"cube.hbm_slice.", "hbm"},
      {"cube.sram.", "sram"},
      {"cube.m_cpu.", "control"},
      {"cube.pe_template.components.pe_core.", "compute"},
      {"cube.pe_template.components.pe_tcm.", "tcm"},
      {"cube.pe_template.components.pe_ipcq.", "control"}};
  for (const auto& [prefix, cls] : prefixes) {
    if (key.rfind(prefix, 0) == 0) return cls;
  }
  return "";
}

// What a key is: an energy per action (pJ) moves dynamic energy, a static power (W) the
// class's energy, an area (mm^2) the class's area.
std::string figure_of(const FieldSpec& f) {
  if (f.unit == "W") return "by_class";
  if (f.unit == "mm^2") return "area";
  return "dynamic_by_class";
}

bool close(double a, double b, double rel = 1e-9) {
  return std::abs(a - b) <= rel * std::max(std::abs(a), std::abs(b)) + 1e-30;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_energy_key_moves_its_own_class_and_never_a_time) {
  const std::vector<json> all = run_all("");
  std::size_t checked = 0;
  for (const FieldSpec& f : kb::platform::topology_schema()) {
    if (f.effect != Effect::energy || f.path == "system.simulation.power_window_ns") continue;
    const std::string cls = class_of(f.path);
    BOOST_REQUIRE_MESSAGE(!cls.empty(), f.path << ": no class for it in this test");
    const std::optional<std::string> machine = kb::test::machine_for(f.path);
    if (!machine) continue;
    const std::vector<json> base = machine->empty() ? all : run_all(*machine);
    const std::vector<json> moved = run_all(fmt::format("{} --set {}=7", *machine, f.path));
    bool changed = false;
    for (std::size_t i = 0; i < base.size(); ++i) {
      const json &a = base[i], &b = moved[i];
      BOOST_TEST(a["sim_time_ns"] == b["sim_time_ns"], f.path << " moved a time: " << kRuns[i]);
      const std::string figure = figure_of(f);
      for (const auto& [c, value] : a["energy"]["dynamic_by_class"].items()) {
        const json& x = figure == "area" ? a["area_mm2"]["by_class"][c] : a["energy"][figure][c];
        const json& y = figure == "area" ? b["area_mm2"]["by_class"][c] : b["energy"][figure][c];
        if (c == cls) {
          changed = changed || x != y;
        } else {
          BOOST_TEST(x == y, f.path << " moved class " << c << " in " << kRuns[i]);
        }
      }
    }
    // A key whose action only the host's copies take (SRAM writes) moves the whole run's.
    for (std::size_t i = 0; i < base.size() && figure_of(f) == "dynamic_by_class"; ++i) {
      changed = changed || base[i]["energy"]["run_total_j"] != moved[i]["energy"]["run_total_j"];
    }
    BOOST_TEST(changed, f.path << " moves no " << cls << " figure of any run");
    ++checked;
  }
  BOOST_TEST(checked > 30u);
}

BOOST_AUTO_TEST_CASE(doubling_a_class_energies_doubles_its_dynamic_energy_and_nothing_else) {
  const std::string pe = "cube.pe_template.components.";
  const std::map<std::string, std::vector<std::pair<std::string, double>>> classes = {
      {"compute",
       {{pe + "pe_core.attrs.pj_per_mac_f16", 0.30},
        {pe + "pe_core.attrs.pj_per_mac_bf16", 0.30},
        {pe + "pe_core.attrs.pj_per_mac_f32", 0.92},
        {pe + "pe_core.attrs.pj_per_mac_i8", 0.046},
        {pe + "pe_core.attrs.pj_per_vector_op", 0.18}}},
      {"hbm",
       {{"cube.hbm_slice.read_pj_per_byte", 31.2}, {"cube.hbm_slice.write_pj_per_byte", 31.2}}},
      {"noc", {{"cube.router.pj_per_byte", 0.5}, {"sip.mesh_link.pj_per_byte", 4}}},
      {"inter_sip", {{"system.inter_sip.link.pj_per_byte", 40}}},
      {"control", {{pe + "pe_ipcq.attrs.pj_per_entry", 2}, {"cube.m_cpu.pj_per_message", 2800}}}};
  for (const std::string& r : {kRuns[0], kRuns[6]}) {
    const json base = run(r);
    for (const auto& [cls, keys] : classes) {
      std::string set;
      for (const auto& [key, value] : keys) set += fmt::format(" --set {}={}", key, 2 * value);
      const json doubled = run(r + set);
      for (const auto& [c, value] : base["energy"]["dynamic_by_class"].items()) {
        const double before = value.get<double>();
        const double after = doubled["energy"]["dynamic_by_class"][c].get<double>();
        BOOST_TEST(close(after, c == cls ? 2 * before : before),
                   r << ": doubling " << cls << " gave " << c << " " << before << " -> " << after);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_vector_add_takes_its_bytes_along_its_path_and_its_vector_operations) {
  // f32 c = a + b over N elements: every PE reads 2 x 4 bytes and writes 4 per element in
  // its own HBM slice, each byte crossing its cube's router once; one vector add each.
  const double read_pj = 10, write_pj = 20, router_pj = 3, vector_pj = 0.5;
  const std::string set = fmt::format(
      " --set cube.hbm_slice.read_pj_per_byte={} --set cube.hbm_slice.write_pj_per_byte={}"
      " --set cube.router.pj_per_byte={} --set "
      "cube.pe_template.components.pe_core.attrs.pj_per_vector_op={}",
      read_pj, write_pj, router_pj, vector_pj);
  const double n = 64 * 1024;
  const json one = run("vector_add --param elements=64K" + set);
  const json two = run("vector_add --param elements=128K" + set);
  const json& e = one["energy"]["dynamic_by_class"];
  BOOST_TEST(close(e["hbm"].get<double>(), (8 * n * read_pj + 4 * n * write_pj) * 1e-12));
  BOOST_TEST(close(e["compute"].get<double>(), n * vector_pj * 1e-12));
  BOOST_TEST(e["tcm"].get<double>() == 0.0);
  BOOST_TEST(e["sram"].get<double>() == 0.0);
  // The router also carries the launch's control messages, the same for both sizes.
  const double noc =
      two["energy"]["dynamic_by_class"]["noc"].get<double>() - e["noc"].get<double>();
  BOOST_TEST(close(noc, 12 * n * router_pj * 1e-12, 1e-6));
  // Nothing else: the dynamic energy is the sum of its classes.
  double sum = 0;
  for (const auto& [c, j] : e.items()) sum += j.get<double>();
  BOOST_TEST(close(sum, one["energy"]["dynamic_j"].get<double>(), 1e-12));
}

BOOST_AUTO_TEST_CASE(static_energy_is_the_keys_static_power_times_the_measured_time) {
  const json r = run("gemm --param M=128 --param N=256 --param K=512");
  // 2 SIPs x 2 x 2 cubes, 2 PEs per cube with 16 MiB TCMs, 2 HBM slices and a 32 MiB SRAM
  // per cube; 2 x 2 mesh links per SIP (tiny.yaml is 1 x 2, widened to 2 x 2: 4 links), a
  // ring of two SIPs (a ring of N SIPs has N links: two here), a host link each. The
  // defaults of configs/topology.yaml.
  const double cubes = 2 * 4, pes = cubes * 2, mesh_links = 2 * 4;
  const double expected = pes * (0.05 + 16 * 0.02) + cubes * (2 * 0.3 + 32 * 0.02 + 0.05 + 0.1) +
                          mesh_links * 0.05 + 2 * 0.5 + 2 * 0.5;
  BOOST_TEST(close(r["energy"]["static_w"].get<double>(), expected, 1e-12));
  BOOST_TEST(close(r["energy"]["static_j"].get<double>(),
                   expected * r["kernel_time_ns"].get<double>() * 1e-9, 1e-6));
  BOOST_TEST(close(r["energy"]["total_j"].get<double>(),
                   r["energy"]["dynamic_j"].get<double>() + r["energy"]["static_j"].get<double>()));
  BOOST_TEST(r["energy"]["peak_power_w"].get<double>() >= r["energy"]["avg_power_w"].get<double>());
}

BOOST_AUTO_TEST_CASE(the_area_is_the_keys_times_the_machine_counts) {
  const json r = run("vector_add --param elements=64K");
  const json& a = r["area_mm2"]["by_class"];
  const double cubes = 8, pes = 16, mesh_links = 8;
  // Router ports: 2 PEs + 2 slices + SRAM + M_CPU per cube, two per mesh link, one I/O each SIP.
  const double ports = cubes * 6 + 2 * mesh_links + 2;
  BOOST_TEST(close(a["compute"].get<double>(), pes * (0.00015 * 1024 + 0.1)));
  BOOST_TEST(close(a["tcm"].get<double>(), pes * 16 * 0.32));
  BOOST_TEST(close(a["sram"].get<double>(), cubes * 32 * 0.32));
  BOOST_TEST(close(a["hbm"].get<double>(), cubes * 2 * 1.5));
  BOOST_TEST(close(a["noc"].get<double>(), ports * 0.02 + mesh_links * 0.5));
  BOOST_TEST(close(a["inter_sip"].get<double>(), 2 * 4.0));  // a ring of two SIPs: two links
  BOOST_TEST(close(a["host"].get<double>(), 2 * 4.0));
  BOOST_TEST(close(a["control"].get<double>(), cubes * 0.5));
  double total = 0;
  for (const auto& [c, mm2] : a.items()) total += mm2.get<double>();
  BOOST_TEST(close(r["area_mm2"]["total"].get<double>(), total));
  // Per area and per watt: the achieved rate over each.
  BOOST_TEST(
      close(r["perf"]["gbps_per_mm2"].get<double>(), r["achieved_gbps"].get<double>() / total));
  BOOST_TEST(close(r["perf"]["gbps_per_w"].get<double>(),
                   r["achieved_gbps"].get<double>() / r["energy"]["avg_power_w"].get<double>()));
}

BOOST_AUTO_TEST_CASE(the_energy_bound_is_never_above_the_simulated_energy) {
  for (const std::string& r : kRuns) {
    for (const std::string& set :
         {std::string(), std::string(" --set cube.hbm_slice.read_pj_per_byte=0.1"),
          std::string(" --set cube.pe_template.components.pe_core.attrs.static_w=5")}) {
      const json e = run(r + set)["energy"];
      BOOST_TEST(e["bound_j"].get<double>() > 0.0, r << set);
      BOOST_TEST(e["bound_j"].get<double>() <= e["total_j"].get<double>(),
                 r << set << ": bound " << e["bound_j"] << " J above " << e["total_j"] << " J");
    }
  }
}

BOOST_AUTO_TEST_CASE(both_fidelities_spend_the_same_dynamic_energy) {
  const json transaction = run("allreduce --param bytes=256K");
  const json flow = run("allreduce --param bytes=256K --fidelity flow");
  BOOST_TEST(close(transaction["energy"]["dynamic_j"].get<double>(),
                   flow["energy"]["dynamic_j"].get<double>()));
}

BOOST_AUTO_TEST_CASE(the_timeline_and_the_waveforms_show_power) {
  const auto r = kernbench(
      "run vector_add --param elements=64K --quiet --timeline power.json "
      "--vcd power.vcd --vcd-scope 'system.sip1.cube*.power_w'" +
      two_sip_tiny());
  BOOST_REQUIRE_MESSAGE(r.code == 0, r.output);
  const json timeline = read_json("power.json");
  std::map<std::string, std::size_t> counters;
  for (const json& e : timeline["traceEvents"]) {
    if (e["ph"] == "C" && e["args"].contains("W")) {
      ++counters[e["name"].get<std::string>()];
      BOOST_TEST(e["args"]["W"].get<double>() > 0.0);
    }
  }
  for (const char* track : {"system.sip0.power", "system.sip1.power", "system.links.power"}) {
    BOOST_TEST(counters[track] > 1u, track << ": no power counter");
  }
  std::ifstream vcd("power.vcd");
  std::stringstream text;
  text << vcd.rdbuf();
  for (int cube = 0; cube < 4; ++cube) {
    BOOST_TEST(text.str().find("$scope module cube" + std::to_string(cube)) != std::string::npos);
  }
  BOOST_TEST(text.str().find("$var real") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_bench_reports_its_energy_and_the_machine_area) {
  const std::map<std::string, std::string> small = {
      {"allgather", "--param bytes=16K"},
      {"allreduce", "--param bytes=16K"},
      {"alltoall", "--param bytes=16K"},
      {"broadcast", "--param bytes=16K"},
      {"chakra", "--param trace=step"},
      {"gemm", "--param M=64 --param N=64 --param K=64"},
      {"layernorm", "--param rows=64 --param cols=64"},
      {"llm", "--param model=" + configs() + "models/tiny.yaml --chakra-out step"},
      {"memcpy", "--param bytes=64K"},
      {"reduce_scatter", "--param bytes=16K"},
      {"serve", "--param model=" + configs() + "models/tiny.yaml --param requests=4"},
      {"softmax", "--param rows=64 --param cols=64"},
      {"vector_add", "--param elements=64K"}};
  // Every bench `kernbench list` names (a new one needs its small run here).
  const auto list = kernbench("list");
  BOOST_REQUIRE_EQUAL(list.code, 0);
  std::istringstream lines(list.output);
  std::vector<std::string> benches;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line[0] != ' ') benches.push_back(line);
  }
  BOOST_TEST(benches.size() == small.size());
  // llm first: it writes the trace the chakra bench replays.
  std::stable_partition(benches.begin(), benches.end(), [](const auto& b) { return b == "llm"; });
  for (const std::string& bench : benches) {
    BOOST_REQUIRE_MESSAGE(small.count(bench) == 1, bench << ": give it a small run here");
    const json r = run(bench + " " + small.at(bench));
    const json& e = r["energy"];
    BOOST_TEST(e["total_j"].get<double>() > 0.0, bench);
    BOOST_TEST(e["dynamic_j"].get<double>() > 0.0, bench);
    BOOST_TEST(e["static_j"].get<double>() > 0.0, bench);
    BOOST_TEST(e["bound_j"].get<double>() <= e["total_j"].get<double>(), bench);
    BOOST_TEST(r["area_mm2"]["total"].get<double>() > 0.0, bench);
    BOOST_TEST(r.contains("perf"), bench);
  }
}

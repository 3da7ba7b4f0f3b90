// The waveforms of a run (docs/platform.md, "Waveforms"): the VCD is valid, the GTKWave
// save file names only signals the VCD has, a PE's state shows its kernel (compute for at
// least the GEMM's MACs at the core's rate, compute or a wait for the whole span), and
// queues and MMUs show their occupancy, misses and walks.
#define BOOST_TEST_MODULE waveforms
#include "testbenches/cli/kernbench_process.h"

#include <cstdlib>
#include <map>
#include <regex>
#include <set>
#include <vector>

using kb::test::configs;
using kb::test::kernbench;

namespace {

// A VCD's variables by full name ("SystemC.system...state[2:0]") and their changes.
struct Vcd {
  std::map<std::string, std::string> id_of;  // name -> identifier
  std::map<std::string, std::vector<std::pair<std::uint64_t, std::uint64_t>>> changes;  // id
};

Vcd read_vcd(const std::string& path) {
  std::ifstream in(path);
  BOOST_REQUIRE_MESSAGE(in, "no " << path);
  Vcd vcd;
  std::vector<std::string> scopes;
  std::string word;
  std::uint64_t now = 0;
  bool values = false;  // past the header
  while (in >> word) {
    if (word == "$comment") {
      while (in >> word && word != "$end") {
      }
    } else if (word == "$enddefinitions") {
      values = true;
    } else if (!values && word == "$scope") {
      std::string kind, name;
      in >> kind >> name;
      scopes.push_back(name);
    } else if (!values && word == "$upscope") {
      scopes.pop_back();
    } else if (!values && word == "$var") {
      std::string type, width, id, name, range;
      in >> type >> width >> id >> name >> range;
      std::string full;
      for (const std::string& s : scopes) full += s + ".";
      full += name + (range == "$end" ? "" : range);
      vcd.id_of[full] = id;
    } else if (values && word[0] == '#') {
      now = std::stoull(word.substr(1));
    } else if (values && word[0] == 'b') {
      std::string id;
      in >> id;
      vcd.changes[id].push_back({now, std::stoull(word.substr(1), nullptr, 2)});
    } else if (values && (word[0] == '0' || word[0] == '1') && word.size() > 1) {
      vcd.changes[word.substr(1)].push_back({now, static_cast<std::uint64_t>(word[0] - '0')});
    }
  }
  return vcd;
}

// Runs `bench` on tiny tracing cube 0 of SIP 0 into `vcd`, and reads the VCD back.
Vcd traced_run(const std::string& bench, const std::string& vcd) {
  const auto r =
      kernbench("run " + bench + " --quiet --vcd " + vcd +
                " --vcd-scope 'system.sip0.cube0.*' --topology " + configs() + "tiny.yaml");
  BOOST_REQUIRE_MESSAGE(r.code == 0, r.output);
  return read_vcd(vcd);
}

std::uint64_t max_of(const Vcd& vcd, const std::string& name) {
  std::uint64_t most = 0;
  for (const auto& [t, v] : vcd.changes.at(vcd.id_of.at(name))) most = std::max(most, v);
  return most;
}

std::uint64_t last_of(const Vcd& vcd, const std::string& name) {
  return vcd.changes.at(vcd.id_of.at(name)).back().second;
}

}  // namespace

BOOST_AUTO_TEST_CASE(queues_and_mmus_show_their_occupancy_misses_and_walks) {
  // An all-reduce over tiny's 4 ranks: data waits in the IPCQs, and the MMUs miss and walk
  // on the buffers' first pages.
  const Vcd vcd = traced_run("allreduce --param bytes=64K", "q.vcd");
  const std::string cube = "SystemC.system.sip0.cube0.";
  // A vector_add's two PEs of a cube finish together: one PeDone waits while the M_CPU
  // takes the other.
  const Vcd vadd = traced_run("vector_add --param elements=64K", "v.vcd");
  BOOST_TEST(max_of(vadd, cube + "m_cpu.inbox_depth[7:0]") == 1u);
  BOOST_TEST(last_of(vadd, cube + "m_cpu.inbox_depth[7:0]") == 0u);  // all taken at the end
  BOOST_TEST(max_of(vcd, cube + "pe0.ipcq.occupancy[7:0]") >= 1u);
  BOOST_TEST(last_of(vcd, cube + "pe0.ipcq.occupancy[7:0]") == 0u);
  BOOST_TEST(last_of(vcd, cube + "pe0.mmu.tlb_misses[31:0]") > 0u);
  BOOST_TEST(max_of(vcd, cube + "pe0.mmu.walk") == 1u);
  BOOST_TEST(last_of(vcd, cube + "pe0.mmu.walk") == 0u);
  // A rank waits for its neighbours' data: the state shows it.
  bool waited = false;
  for (const auto& [t, v] : vcd.changes.at(vcd.id_of.at(cube + "pe0.core.state[2:0]"))) {
    waited = waited || v == 3;  // ipcq_data
  }
  BOOST_TEST(waited);
}

BOOST_AUTO_TEST_CASE(a_gemm_waveform_opens_grouped_and_shows_what_each_pe_does) {
  // tiny: 2 cubes of 2 PEs; each PE computes a 32 x 32 block of C over K = 512: 524288
  // MACs at 1024 per cycle and 1 GHz = 512 ns of compute at the least.
  const Vcd vcd = traced_run("gemm --param M=64 --param N=64 --param K=512", "w.vcd");
  BOOST_TEST(std::system("vcd2lxt2 w.vcd /dev/null > /dev/null 2>&1") == 0);

  // Every trace of the save file is a variable of the VCD; the PE groups are there; the
  // named signals use filters that exist.
  std::ifstream save("w.gtkw");
  BOOST_REQUIRE(save);
  std::set<std::string> groups;
  std::size_t traces = 0;
  for (std::string line; std::getline(save, line);) {
    if (line.rfind("+{", 0) == 0) {  // +{alias} name
      ++traces;
      const std::string name = line.substr(line.find("} ") + 2);
      BOOST_TEST(vcd.id_of.count(name) == 1u, name << " is not in the VCD");
    } else if (line.rfind("-", 0) == 0) {
      groups.insert(line.substr(1));
    } else if (line.rfind("^", 0) == 0) {
      const std::string file = line.substr(line.find(' ') + 1);
      BOOST_TEST(std::ifstream(file).good(), file);
    }
  }
  BOOST_TEST(traces > 10u);
  BOOST_TEST(groups.count("system.sip0.cube0.pe0") == 1u);
  BOOST_TEST(groups.count("system.sip0.cube0") == 1u);
  std::ifstream kernels("w.kernel.filter");
  std::set<std::string> kernel_names;
  for (std::string line; std::getline(kernels, line);) {
    kernel_names.insert(line.substr(line.find(' ') + 1));
  }
  BOOST_TEST(kernel_names.count("gemm") == 1u);

  // PE 0's state while its kernel runs (kernel != 0).
  const std::string pe = "SystemC.system.sip0.cube0.pe0.core.";
  const auto& state = vcd.changes.at(vcd.id_of.at(pe + "state[2:0]"));
  const auto& kernel = vcd.changes.at(vcd.id_of.at(pe + "kernel[7:0]"));
  std::uint64_t start = 0, end = 0;
  for (const auto& [t, v] : kernel) (v != 0 ? start : end) = t;
  BOOST_REQUIRE(end > start);
  std::map<std::uint64_t, std::uint64_t> in_state;  // state -> ps inside the span
  for (std::size_t i = 0; i < state.size(); ++i) {
    const std::uint64_t from = std::max(state[i].first, start);
    const std::uint64_t to = std::min(i + 1 < state.size() ? state[i + 1].first : end, end);
    if (to > from) in_state[state[i].second] += to - from;
  }
  BOOST_TEST(in_state[1] >= 512'000u);  // compute
  BOOST_TEST(in_state[0] == 0u);        // never idle while the kernel runs
  std::uint64_t covered = 0;
  for (const auto& [s, ps] : in_state) covered += ps;
  BOOST_TEST(covered == end - start);  // compute and waits add up to the kernel's span
}

// No dead knobs: every numeric topology key whose schema row says it changes timing moves
// the simulated time of some bench when changed, and the simulation keys (the quantum)
// move none by more than the order of contending bookings can (ADR 0003). Keys of other
// effects are documented as such in docs/topology-schema.md; the energy keys are
// test_energy's.
#define BOOST_TEST_MODULE keys
#include "platform/topology/loader.h"
#include "platform/topology/schema.h"
#include "testbenches/cli/kernbench_process.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

using kb::platform::Effect;
using kb::platform::FieldKind;
using kb::platform::FieldSpec;
using kb::test::configs;
using kb::test::kernbench;
using kb::test::read_json;
using kb::test::two_sip_tiny;

namespace {

// Runs that together use every component: every GEMM input type (quantised weights too), A
// in SRAM, streaming, a cross-cube and a cross-SIP copy, a vector kernel, a collective over
// the IPCQs, a graph launched by the SIPs' dispatchers; each also copies in and out through
// the host link and the M_CPUs.
const std::vector<std::string> kRuns = {
    "gemm --param M=128 --param N=256 --param K=512",
    "gemm --param M=128 --param N=256 --param K=512 --param dtype=bf16",
    "gemm --param M=128 --param N=256 --param K=512 --param dtype=f32",
    "gemm --param M=128 --param N=256 --param K=512 --param dtype=i8",
    "gemm --param M=128 --param N=256 --param K=512 --param a_in=sram",
    "vector_add --param elements=256K",
    "memcpy --param bytes=1M",
    "memcpy --param route=cross_sip --param bytes=256K",
    "softmax --param rows=256 --param cols=256",
    "allreduce --param bytes=64K",
    "llm --param launch=graph --param layers=1",
    "llm --param layers=1 --param weight_dtype=int4 --param quant_group=32",
};

// sim_time_ns of every run with `set` (nullopt where a run refused the machine or value).
using Times = std::vector<std::optional<double>>;
Times times(const std::string& set) {
  Times out;
  for (const std::string& run : kRuns) {
    const auto r = kernbench("run " + run + " --timing-only --quiet --report keys.json" +
                             two_sip_tiny() + set);
    BOOST_REQUIRE_MESSAGE(r.code == 0 || r.code == 2, run << set << "\n" << r.output);
    out.push_back(r.code == 0 ? std::optional(read_json("keys.json")["sim_time_ns"].get<double>())
                              : std::nullopt);
  }
  return out;
}

// How far the quantum may move a run's simulated time: it changes only the order in which
// initiators running ahead book a shared resource (docs/adr/0003-contention-under-temporal-
// decoupling.md), which moves a contended collective's kernel by up to 2 % and a run's
// whole time, host copies included, by far less.
constexpr double kQuantumTolerance = 0.01;

// Whether any run both sets of times hold differs by more than `tolerance` of its time (by
// anything, at 0).
bool differ(const Times& a, const Times& b, double tolerance = 0.0) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] && b[i] && std::abs(*a[i] - *b[i]) > tolerance * *b[i]) return true;
  }
  return false;
}

bool any_ran(const Times& t) {
  return std::any_of(t.begin(), t.end(), [](const auto& v) { return v.has_value(); });
}

// Values to try for a key: x4, /4, /16, +1 of its value on the machine, inside its range.
std::vector<std::string> variations(const FieldSpec& f, double value) {
  std::vector<std::string> out;
  for (double v : {value * 4, value / 4, value / 16, value + 1}) {
    if (f.kind == FieldKind::integer) v = std::round(v);
    const bool above = f.min_exclusive ? v > f.min : v >= f.min;
    if (v == value || !above || (f.max != 0 && v > f.max)) continue;
    out.push_back(f.kind == FieldKind::integer ? fmt::format("{}", static_cast<long long>(v))
                                               : fmt::format("{}", v));
  }
  return out;
}

bool numeric(const FieldSpec& f) {
  return f.kind == FieldKind::integer || f.kind == FieldKind::real;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_timing_key_moves_some_bench_and_the_quantum_hardly_any) {
  const Times base = times("");
  BOOST_REQUIRE(std::all_of(base.begin(), base.end(), [](const auto& v) { return v.has_value(); }));
  const kb::platform::Topology machine = kb::platform::load_topology_file(
      configs() + "tiny.yaml", {"system.sips.count=2", "sip.cube_mesh.w=2"});
  std::size_t timing_keys = 0;
  for (const FieldSpec& f : kb::platform::topology_schema()) {
    // Energy keys are checked by test_energy: they move energy figures, never a time.
    if (!numeric(f) || f.effect == Effect::capacity || f.effect == Effect::structure ||
        f.effect == Effect::energy) {
      continue;
    }
    const std::optional<std::string> given = kb::test::machine_for(f.path);
    if (!given) continue;
    const Times reference = given->empty() ? base : times(*given);
    BOOST_REQUIRE_MESSAGE(any_ran(reference), f.path << ":" << *given);
    const double value = std::stod(f.value_text(machine));
    bool moved = false, tried = false;
    for (const std::string& v : variations(f, value)) {
      const Times t = times(*given + " --set " + f.path + "=" + v);
      if (!any_ran(t)) continue;  // a value this machine refuses (an I/O cube off the mesh)
      tried = true;
      moved = moved || differ(t, reference, f.effect == Effect::timing ? 0.0 : kQuantumTolerance);
      if (f.effect == Effect::timing && moved) break;
    }
    BOOST_TEST_MESSAGE(f.path << ": " << (moved ? "moves" : "moves nothing"));
    BOOST_TEST(tried, f.path << ": no value to try");
    if (f.effect == Effect::timing) {
      ++timing_keys;
      BOOST_TEST(moved, f.path << " changes no bench's simulated time: give it a role, mark "
                                  "its effect in the schema, or remove it");
    } else {
      BOOST_TEST(!moved, f.path << " is a simulation key but moved a simulated time by more than "
                                << 100 * kQuantumTolerance << " %");
    }
  }
  BOOST_TEST(timing_keys > 25u);
}

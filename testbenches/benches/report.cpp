#include "testbenches/benches/report.h"

#include "platform/energy_report.h"
#include "platform/statistics.h"
#include "platform/topology/area.h"
#include "platform/topology/schema.h"
#include "platform/util/json_append.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace kb::bench {

namespace {
std::string time_text(double ns) {
  if (ns >= 1e9) return fmt::format("{:.3f} s", ns / 1e9);
  if (ns >= 1e6) return fmt::format("{:.3f} ms", ns / 1e6);
  if (ns >= 1e3) return fmt::format("{:.3f} us", ns / 1e3);
  return fmt::format("{:.1f} ns", ns);
}
std::string energy_text(double joules) {
  if (joules >= 1.0) return fmt::format("{:.3f} J", joules);
  if (joules >= 1e-3) return fmt::format("{:.3f} mJ", joules * 1e3);
  if (joules >= 1e-6) return fmt::format("{:.3f} uJ", joules * 1e6);
  return fmt::format("{:.3f} nJ", joules * 1e9);
}
std::string bytes_text(double bytes) {
  if (bytes >= 1 << 20) return fmt::format("{:.1f} MiB", bytes / (1 << 20));
  if (bytes >= 1 << 10) return fmt::format("{:.1f} KiB", bytes / (1 << 10));
  return fmt::format("{:.0f} B", bytes);
}
}  // namespace

namespace {

// The unit and meaning of every figure make_report writes, the bench's own, its
// parameters' and the topology keys the run set.
platform::Units report_units(const Bench& bench, const Outcome& outcome, const RunFigures& run) {
  platform::Units u;
  u.declare("topology.sips", "", "SIPs of the machine");
  u.declare("topology.cubes_per_sip", "", "cubes of each SIP");
  u.declare("topology.pes_per_cube", "", "PEs of each cube");
  u.declare("topology.world_size", "", "PEs of the machine");
  u.declare("sim_time_ns", "ns", "simulated time of the whole run, host copies included");
  u.declare("kernel_time_ns", "ns", "the measured work: first kernel start to last kernel end");
  for (const char* f : {"min", "mean", "max"}) {
    u.declare(fmt::format("kernel_per_pe_ns.{}", f), "ns",
              fmt::format("a PE's own kernel time, the {} over the PEs", f));
  }
  u.declare("launch_skew_ns", "ns", "the spread of the PEs' kernel starts");
  u.declare("wall_s", "s", "the run's wall-clock time");
  u.declare("sim_speed.transactions", "", "TLM transactions simulated");
  u.declare("sim_speed.transactions_per_s", "1/s", "transactions simulated per wall second");
  u.declare("sim_speed.sim_ns_per_wall_s", "ns/s", "simulated time per wall second");
  u.declare("kernels.*.sip", "", "the SIP it ran on");
  u.declare("kernels.*.start_ns", "ns", "when the kernel's first PE started");
  u.declare("kernels.*.end_ns", "ns", "when its last PE ended");
  u.declare("bound.time_ns", "ns", "the analytical lower bound of the measured work");
  u.declare("bound.terms.*", "ns", "a term of the bound: the least time its resource allows");
  u.declare("efficiency", "", "bound over kernel time, at most 1");
  u.declare("bottleneck.busy_ns", "ns", "the busiest resource's busy time in the measured work");
  u.declare("bottleneck.utilization", "", "its busy time over the kernel time");
  u.declare("achieved_tflops", "TFLOP/s", "the work's arithmetic over the kernel time");
  u.declare("achieved_gbps", "GB/s", "the bytes the work moves over the kernel time");
  u.declare("verify.max_abs_err", "", "largest absolute difference from the host reference");
  u.add("energy.", platform::energy_units());
  u.declare("energy.bound_j", "J",
            "least energy the work can take: its MACs at the cheapest MAC energy, its bytes "
            "at the cheapest memory access, the static power over the time bound");
  u.declare("energy.run_total_j", "J",
            "energy of the whole run, host copies included: all dynamic energy plus the "
            "static power over the simulated time");
  u.declare("energy.pj_per_flop", "pJ", "energy over the work's floating-point operations");
  u.declare("energy.pj_per_byte", "pJ",
            "energy over the bytes the work moves (a collective's: its size, as nccl-tests "
            "reports it)");
  u.declare("energy.j_per_token", "J", "energy over the step's tokens");
  u.declare("energy.tokens_per_j", "1/J", "the step's tokens over its energy");
  u.declare("area_mm2.total", "mm^2", "the machine's silicon area");
  u.declare("area_mm2.by_class.*", "mm^2", "the area of one class of component");
  u.declare("perf.tflops_per_w", "TFLOP/s/W", "achieved TFLOP/s over average power");
  u.declare("perf.gbps_per_w", "GB/s/W", "achieved GB/s over average power");
  u.declare("perf.tflops_per_mm2", "TFLOP/s/mm^2", "achieved TFLOP/s over the machine's area");
  u.declare("perf.gbps_per_mm2", "GB/s/mm^2", "achieved GB/s over the machine's area");
  u.add("components.*.", platform::statistics_units());
  u.declare("components.*.window_busy_ns", "ns", "busy time gained during the measured work");
  u.declare("components.*.window_utilization", "", "that over the kernel time");
  u.add("queues.*.", platform::queue_units());
  for (const Param& p : bench.params()) u.declare("params." + p.name, p.unit, p.description);
  for (const std::string& set : run.overrides) {
    const std::string key = set.substr(0, set.find('='));
    if (const platform::FieldSpec* f = platform::find_field(key)) {
      u.declare("set." + key, f->unit, f->description);
    }
  }
  u.add("", outcome.units);
  return u;
}

// The least energy the work can take (the report's energy.bound_j): every MAC at the
// cheapest MAC energy, every byte it must move read or written once at the cheapest
// memory, and the static power over the time bound.
double energy_bound_j(const Outcome& outcome, const platform::Topology& t) {
  const auto& core = t.cube.pe_template.components.pe_core.attrs;
  const auto& tcm = t.cube.pe_template.components.pe_tcm.attrs;
  const double mac_pj = std::min(
      {core.pj_per_mac_f16, core.pj_per_mac_bf16, core.pj_per_mac_f32, core.pj_per_mac_i8});
  const double byte_pj =
      std::min({tcm.read_pj_per_byte, tcm.write_pj_per_byte, t.cube.sram.read_pj_per_byte,
                t.cube.sram.write_pj_per_byte, t.cube.hbm_slice.read_pj_per_byte,
                t.cube.hbm_slice.write_pj_per_byte});
  return (outcome.flops / 2 * mac_pj + outcome.bytes * byte_pj) * 1e-12 +
         platform::static_power_w() * outcome.bound.time_ns() * 1e-9;
}

// energy, area_mm2 and perf: what the measured work took and what the machine costs.
void add_energy(nlohmann::ordered_json& r, const Outcome& outcome,
                const platform::Topology& topology, const RunFigures& run, double measured_ns) {
  // The measured region: the kernels' span, or the whole run without kernels.
  const double begin_ns = outcome.kernel_ns() > 0 ? outcome.kernel_span_ns().first : 0.0;
  const auto begin = static_cast<models::Picoseconds>(begin_ns * 1000.0);
  const auto end = static_cast<models::Picoseconds>((begin_ns + measured_ns) * 1000.0);
  nlohmann::ordered_json e = platform::energy_json(outcome.window_energy_pj, begin, end);
  const double total_j = e["total_j"].get<double>();
  e["bound_j"] = energy_bound_j(outcome, topology);
  double run_pj = 0;
  for (double pj : platform::energy_snapshot()) run_pj += pj;
  e["run_total_j"] = run_pj * 1e-12 + platform::static_power_w() * run.sim_time_ns * 1e-9;
  if (outcome.flops > 0) e["pj_per_flop"] = total_j * 1e12 / outcome.flops;
  // A collective's bytes are its size as nccl-tests reports it: algbw x time.
  const double bytes = outcome.bytes > 0          ? outcome.bytes
                       : r.contains("algbw_gbps") ? r["algbw_gbps"].get<double>() * measured_ns
                                                  : 0.0;
  if (bytes > 0) e["pj_per_byte"] = total_j * 1e12 / bytes;
  if (outcome.tokens > 0 && total_j > 0) {
    e["j_per_token"] = total_j / outcome.tokens;
    e["tokens_per_j"] = outcome.tokens / total_j;
  }
  const double watts = e["avg_power_w"].get<double>();
  r["energy"] = std::move(e);
  const platform::Area area = platform::machine_area(topology);
  r["area_mm2"] = {{"total", area.total_mm2}, {"by_class", area.by_class_mm2}};
  nlohmann::ordered_json perf = nlohmann::ordered_json::object();
  for (const char* rate : {"tflops", "gbps"}) {
    const std::string achieved = std::string("achieved_") + rate;
    if (!r.contains(achieved)) continue;
    const auto value = r[achieved].get<double>();
    if (watts > 0) perf[std::string(rate) + "_per_w"] = value / watts;
    perf[std::string(rate) + "_per_mm2"] = value / area.total_mm2;
  }
  r["perf"] = std::move(perf);
}

}  // namespace

nlohmann::ordered_json make_report(const Bench& bench, const Params& params, const Outcome& outcome,
                                   const platform::Topology& topology, const RunFigures& run) {
  // An ordered object is a vector of (const key, value) pairs: growing it copies every value
  // (a key cannot be moved), the kernel list with them. A report has a few dozen keys.
  nlohmann::ordered_json r = nlohmann::ordered_json::object();
  r.get_ref<nlohmann::ordered_json::object_t&>().reserve(64);
  r["bench"] = bench.name();
  r["params"] = params.to_json();
  r["topology"] = {{"file", run.topology_file},
                   {"sips", topology.system.sips.count},
                   {"cubes_per_sip", topology.cubes_per_sip()},
                   {"pes_per_cube", topology.pes_per_cube()},
                   {"world_size", topology.world_size()}};
  r["timing_only"] = run.timing_only;
  r["fidelity"] = models::to_string(run.fidelity);
  r["sim_time_ns"] = run.sim_time_ns;
  r["kernel_time_ns"] = outcome.kernel_ns();
  // Each PE's own kernel time: the span above also holds the launch's skew across PEs.
  if (!outcome.pe_ns.empty()) {
    const auto [lo, hi] = std::minmax_element(outcome.pe_ns.begin(), outcome.pe_ns.end());
    double sum = 0;
    for (double ns : outcome.pe_ns) sum += ns;
    r["kernel_per_pe_ns"] = {
        {"min", *lo}, {"mean", sum / static_cast<double>(outcome.pe_ns.size())}, {"max", *hi}};
    r["launch_skew_ns"] = outcome.launch_skew_ns();
  }
  r["wall_s"] = run.wall_s;
  r["sim_speed"] = {{"transactions", run.transactions},
                    {"transactions_per_s",
                     run.wall_s > 0 ? static_cast<double>(run.transactions) / run.wall_s : 0.0},
                    {"sim_ns_per_wall_s", run.wall_s > 0 ? run.sim_time_ns / run.wall_s : 0.0}};
  // Built field by field: a replayed trace has tens of thousands of kernels, and an
  // initializer list copies every value it holds.
  nlohmann::ordered_json kernels = nlohmann::ordered_json::array();
  kernels.get_ref<nlohmann::ordered_json::array_t&>().reserve(outcome.kernels.size());
  for (const KernelRecord& k : outcome.kernels) {
    nlohmann::ordered_json& e = kernels.emplace_back(nlohmann::ordered_json::object());
    e.get_ref<nlohmann::ordered_json::object_t&>().reserve(4);
    e["name"] = k.name;
    e["sip"] = k.sip;
    e["start_ns"] = k.start_ns;
    e["end_ns"] = k.end_ns;
  }
  r["kernels"] = std::move(kernels);
  nlohmann::ordered_json terms = nlohmann::ordered_json::object();
  for (const runtime::BoundTerm& t : outcome.bound.terms()) terms[t.name] = t.ns;
  r["bound"] = {{"model", outcome.bound_model},
                {"time_ns", outcome.bound.time_ns()},
                {"limiter", outcome.bound.limiter()},
                {"terms", std::move(terms)}};
  // The measured region is the kernels' span, or the window a bench states; a bench with
  // neither is measured whole.
  const double measured = outcome.kernel_ns() > 0 ? outcome.kernel_ns()
                          : outcome.window_ns > 0 ? outcome.window_ns
                                                  : run.sim_time_ns;
  r["efficiency"] = measured > 0 ? outcome.bound.time_ns() / measured : 0.0;
  // The busiest resource while the measured work ran. Its busy time counts what the work
  // booked; the few control messages around the kernels can push it a hair past the
  // kernels' span, hence the cap.
  const auto busiest =
      std::max_element(outcome.window_busy_ns.begin(), outcome.window_busy_ns.end(),
                       [](const auto& a, const auto& b) { return a.second < b.second; });
  if (busiest != outcome.window_busy_ns.end() && measured > 0) {
    r["bottleneck"] = {{"resource", busiest->first},
                       {"busy_ns", busiest->second},
                       {"utilization", std::min(1.0, busiest->second / measured)}};
  }
  if (outcome.flops > 0) r["achieved_tflops"] = outcome.flops / measured / 1e3;
  if (outcome.bytes > 0) r["achieved_gbps"] = outcome.bytes / measured;
  for (const auto& [key, value] : outcome.extra.items()) r[key] = value;
  add_energy(r, outcome, topology, run, measured);
  if (outcome.verified) {
    r["verify"] = {{"ok", outcome.verification.ok},
                   {"max_abs_err", outcome.verification.max_abs_err},
                   {"skipped", false}};
    if (!outcome.verification.ok) r["verify"]["first_failure"] = outcome.verification.first_failure;
  } else {
    r["verify"] = {{"ok", true}, {"max_abs_err", 0.0}, {"skipped", true}};
    if (!run.timing_only_because.empty()) r["verify"]["because"] = run.timing_only_because;
  }
  auto stats =
      platform::statistics_json(static_cast<models::Picoseconds>(run.sim_time_ns * 1000.0));
  // Each resource's figures gain their window's; the components are moved, not copied
  // (tens of thousands at scale).
  nlohmann::ordered_json components = std::move(stats["resources"]);
  for (auto& [path, c] : components.get_ref<nlohmann::ordered_json::object_t&>()) {
    const auto in_window = outcome.window_busy_ns.find(path);
    const double window_ns = in_window == outcome.window_busy_ns.end() ? 0.0 : in_window->second;
    platform::append_distinct(c, "window_busy_ns", window_ns);
    platform::append_distinct(c, "window_utilization",
                              measured > 0 ? std::min(1.0, window_ns / measured) : 0.0);
  }
  r["components"] = std::move(components);
  r["queues"] = std::move(stats["queues"]);
  r["units"] = report_units(bench, outcome, run).to_json();
  return r;
}

namespace {
// The serve bench's lines: what was served, the latency percentiles, the rates.
std::string serve_text(const nlohmann::ordered_json& s) {
  const auto ms = [](const nlohmann::ordered_json& d, const char* p) {
    return time_text(d[p].get<double>() * 1e6);
  };
  const auto& steps = s["steps"];
  std::string out = fmt::format(
      "serve       {} tp {} {}: {} of {} requests served ({} refused, {} preemptions) in {:.3f} "
      "s\n",
      s["model"].get<std::string>(), s["tp"].get<std::int64_t>(), s["scheduler"].get<std::string>(),
      s["completed"].get<std::int64_t>(), s["requests"].get<std::int64_t>(),
      s["refused"].get<std::int64_t>(), s["preemptions"].get<std::int64_t>(),
      s["span_s"].get<double>());
  for (const char* d : {"ttft_ms", "tpot_ms", "e2e_ms", "queue_ms"}) {
    const auto& x = s[d];
    out += fmt::format("            {:<5} p50 {}, p90 {}, p99 {}, mean {}\n",
                       std::string(d, std::strlen(d) - 3), ms(x, "p50"), ms(x, "p90"), ms(x, "p99"),
                       ms(x, "mean"));
  }
  out += fmt::format(
      "            {:.1f} output tokens/s, {:.2f} requests/s, goodput {:.2f}/s (SLO attainment "
      "{:.3f}); batch mean {:.1f}, max {}; KV peak {:.1f} % of {} blocks\n",
      s["output_tokens_per_s"].get<double>(), s["requests_per_s"].get<double>(),
      s["goodput_per_s"].get<double>(), s["slo_attainment"].get<double>(),
      s["batch"]["mean"].get<double>(), s["batch"]["max"].get<std::int64_t>(),
      100 * s["kv"]["occupancy_peak"].get<double>(), s["kv"]["blocks"].get<std::int64_t>());
  out += fmt::format("            {} steps simulated for {} lookups (hit rate {:.3f})\n",
                     steps["simulated"].get<std::int64_t>(), steps["lookups"].get<std::int64_t>(),
                     steps["hit_rate"].get<double>());
  return out;
}
}  // namespace

std::string summary_text(const nlohmann::ordered_json& r, std::size_t top) {
  std::string out;
  out += fmt::format("bench       {} ({})\n", r["bench"].get<std::string>(), [&] {
    std::string p;
    for (const auto& [k, v] : r["params"].items())
      p += (p.empty() ? "" : " ") + k + "=" + v.get<std::string>();
    return p;
  }());
  const auto& t = r["topology"];
  out +=
      fmt::format("topology    {}: {} SIP(s) x {} cubes x {} PEs = {} PEs\n",
                  t["file"].get<std::string>(), t["sips"].get<int>(), t["cubes_per_sip"].get<int>(),
                  t["pes_per_cube"].get<int>(), t["world_size"].get<int>());
  out += fmt::format("simulated   {} in all, kernels {}{}{}\n",
                     time_text(r["sim_time_ns"].get<double>()),
                     time_text(r["kernel_time_ns"].get<double>()),
                     r["timing_only"].get<bool>() ? " (timing-only)" : "",
                     r["fidelity"] == "flow" ? " (flow fidelity)" : "");
  if (r.contains("kernel_per_pe_ns")) {
    const auto& pe = r["kernel_per_pe_ns"];
    out += fmt::format("per PE      {} min, {} mean, {} max; launch skew {}\n",
                       time_text(pe["min"].get<double>()), time_text(pe["mean"].get<double>()),
                       time_text(pe["max"].get<double>()),
                       time_text(r["launch_skew_ns"].get<double>()));
  }
  if (r["bound"]["time_ns"].get<double>() > 0) {
    out += fmt::format("bound       {} ({}), limiter {}, efficiency {:.3f}\n",
                       time_text(r["bound"]["time_ns"].get<double>()),
                       r["bound"]["model"].get<std::string>(),
                       r["bound"]["limiter"].get<std::string>(), r["efficiency"].get<double>());
  } else {
    out += fmt::format("bound       {}\n", r["bound"]["model"].get<std::string>());
  }
  if (r.contains("achieved_tflops"))
    out += fmt::format("achieved    {:.2f} TFLOP/s\n", r["achieved_tflops"].get<double>());
  if (r.contains("achieved_gbps"))
    out += fmt::format("achieved    {:.1f} GB/s\n", r["achieved_gbps"].get<double>());
  if (r.contains("busbw_gbps")) {
    out += fmt::format("bandwidth   algbw {:.1f} GB/s, busbw {:.1f} GB/s\n",
                       r["algbw_gbps"].get<double>(), r["busbw_gbps"].get<double>());
  }
  if (r.contains("llm")) {
    const auto& l = r["llm"];
    const bool prefill = l.contains("ttft_ns");
    out += fmt::format("llm         {} {} batch {} seq {} tp {} layers {}\n",
                       l["model"].get<std::string>(), l["phase"].get<std::string>(),
                       l["batch"].get<std::int64_t>(), l["seq"].get<std::int64_t>(),
                       l["tp"].get<std::int64_t>(), l["layers"].get<std::int64_t>());
    out += fmt::format(
        "            {} {}, {:.0f} tokens/s, MFU {:.3f}, MBU {:.3f}\n", prefill ? "TTFT" : "TPOT",
        time_text(l[prefill ? "ttft_ns" : "tpot_ns"].get<double>()),
        l["tokens_per_s"].get<double>(), l["mfu"].get<double>(), l["mbu"].get<double>());
    std::string parts;
    for (const auto& [op, ns] : l["breakdown"].items())
      parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", op, time_text(ns.get<double>()));
    out += fmt::format("            critical path: {}; exposed communication {}\n", parts,
                       time_text(l["exposed_communication_ns"].get<double>()));
  }
  if (r.contains("serve")) out += serve_text(r["serve"]);
  if (r.contains("chakra")) {
    const auto& c = r["chakra"];
    double last = 0;
    for (const auto& f : c["finish_ns"]) last = std::max(last, f.get<double>());
    out += fmt::format("chakra      {} ranks, {} nodes, {} communicated, {} missing dependencies\n",
                       c["ranks"].get<std::uint32_t>(), c["nodes"].get<std::size_t>(),
                       bytes_text(c["comm_bytes"].get<double>()),
                       c["missing_deps"].get<std::size_t>());
    out += fmt::format("            last rank done {}; compute {}; exposed communication {}\n",
                       time_text(last), time_text(c["comp_ns"].get<double>()),
                       time_text(c["exposed_comm_ns"].get<double>()));
    if (!c["unsupported"].empty()) {
      std::string what;
      for (const auto& [kind, n] : c["unsupported"].items())
        what += fmt::format("{}{} x {}", what.empty() ? "" : ", ", n.get<std::size_t>(), kind);
      out += fmt::format("            not run (unsupported): {}\n", what);
    }
  }
  if (r.contains("chakra_out")) {
    const auto& c = r["chakra_out"];
    const auto ranks = c["ranks"].get<std::size_t>();
    out += fmt::format("chakra out  {} nodes, {} dependencies in {}.{}.et\n",
                       c["nodes"].get<std::size_t>(), c["dependencies"].get<std::size_t>(),
                       c["prefix"].get<std::string>(),
                       ranks == 1 ? std::string("0") : fmt::format("<0..{}>", ranks - 1));
  }
  if (r.contains("energy")) {
    const auto& e = r["energy"];
    out += fmt::format(
        "energy      {} ({} dynamic, {} static), average {:.1f} W, peak {:.1f} W; "
        "area {:.0f} mm^2\n",
        energy_text(e["total_j"].get<double>()), energy_text(e["dynamic_j"].get<double>()),
        energy_text(e["static_j"].get<double>()), e["avg_power_w"].get<double>(),
        e["peak_power_w"].get<double>(), r["area_mm2"]["total"].get<double>());
  }
  const auto& v = r["verify"];
  if (v["skipped"].get<bool>()) {
    out += !r["timing_only"].get<bool>() ? "verify      none (the bench has no reference)\n"
           : v.contains("because")       ? fmt::format("verify      skipped (timing-only: {})\n",
                                                       v["because"].get<std::string>())
                                         : "verify      skipped (timing-only)\n";
  } else if (v["ok"].get<bool>()) {
    out += fmt::format("verify      ok (max abs err {:.3g})\n", v["max_abs_err"].get<double>());
  } else {
    out += fmt::format("verify      FAILED: {}\n", v["first_failure"].get<std::string>());
  }
  // Utilisation while the kernels ran: the host's copies outside them do not count.
  // Only the first few are shown, of tens of thousands at scale.
  std::vector<std::pair<double, const std::string*>> busiest;
  for (const auto& [path, c] : r["components"].items())
    busiest.emplace_back(c["window_utilization"].get<double>(), &path);
  const std::size_t shown = std::min(top, busiest.size());
  std::partial_sort(busiest.begin(), busiest.begin() + static_cast<std::ptrdiff_t>(shown),
                    busiest.end(), [](const auto& a, const auto& b) {
                      return a.first != b.first ? a.first > b.first : *a.second > *b.second;
                    });
  for (std::size_t i = 0; i < shown; ++i) {
    out += fmt::format("{}{:5.1f}%  {}\n", i == 0 ? "busiest     " : "            ",
                       100 * busiest[i].first, *busiest[i].second);
  }
  const auto& s = r["sim_speed"];
  out += fmt::format(
      "speed       {} transactions in {:.2f} s wall ({:.0f}/s), {} simulated per wall second\n",
      s["transactions"].get<std::uint64_t>(), r["wall_s"].get<double>(),
      s["transactions_per_s"].get<double>(), time_text(s["sim_ns_per_wall_s"].get<double>()));
  return out;
}

}  // namespace kb::bench

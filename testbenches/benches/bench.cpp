#include "testbenches/benches/bench.h"

#include "models/common/stats.h"
#include "platform/energy_report.h"
#include "platform/util/did_you_mean.h"
#include "runtime/kernels/registry.h"
#include "runtime/memory/pe_memory_allocator.h"
#include "runtime/memory/virtual_allocator.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <set>
#include <tuple>

namespace kb::bench {

Params::Params(const std::string& bench, const std::vector<Param>& declared,
               const std::vector<std::string>& given)
    : bench_(bench) {
  for (const Param& p : declared) values_.emplace_back(p.name, p.default_value);
  for (const std::string& text : given) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw BenchUsageError(fmt::format("--param {}: expected NAME=VALUE", text));
    }
    const std::string name = text.substr(0, eq);
    auto it = std::find_if(values_.begin(), values_.end(),
                           [&](const auto& v) { return v.first == name; });
    if (it == values_.end()) {
      std::vector<std::string> names;
      for (const Param& p : declared) names.push_back(p.name);
      const auto near = platform::did_you_mean(name, names);
      throw BenchUsageError(fmt::format(
          "bench '{}' has no parameter '{}'{}; its parameters are: {}", bench, name,
          near ? fmt::format(" (did you mean '{}'?)", *near) : "", fmt::join(names, ", ")));
    }
    it->second = text.substr(eq + 1);
  }
  for (const Param& p : declared) {
    // Check every value now, so that a bad one fails before the simulation starts.
    if (p.kind == Param::Kind::text) continue;
    if (p.default_value == "0" || p.kind == Param::Kind::count) {
      count(p.name);
    } else if (p.default_value.find('.') != std::string::npos) {
      real(p.name);
    } else if (!p.default_value.empty() &&
               std::isdigit(static_cast<unsigned char>(p.default_value.front()))) {
      integer(p.name);
    }
  }
}

std::string Params::text(const std::string& name) const {
  for (const auto& [n, v] : values_) {
    if (n == name) return v;
  }
  throw std::logic_error(fmt::format("bench '{}' reads undeclared parameter '{}'", bench_, name));
}

void Params::bad(const std::string& name, const std::string& why) const {
  throw BenchUsageError(fmt::format("--param {}={}: {}", name, text(name), why));
}

std::int64_t Params::count(const std::string& name) const {
  if (text(name) == "0") return 0;
  const std::string v = text(name);
  if (v.empty() || !std::isdigit(static_cast<unsigned char>(v.front()))) {
    bad(name, "expected 0 or a positive integer (suffixes K, M, G allowed)");
  }
  return integer(name);
}

double Params::real(const std::string& name) const {
  const std::string v = text(name);
  double value = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || !std::isfinite(value) ||
      value < 0 || value > 1e6) {
    bad(name, "expected a number from 0 to 1e6 (1.5, 2e-3)");
  }
  return value;
}

std::int64_t Params::integer(const std::string& name) const {
  const std::string v = text(name);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
  if (ec != std::errc() || value <= 0)
    bad(name, "expected a positive integer (suffixes K, M, G allowed)");
  const std::string suffix(end, v.data() + v.size());
  const std::int64_t scale = suffix.empty()  ? 1
                             : suffix == "K" ? 1 << 10
                             : suffix == "M" ? 1 << 20
                             : suffix == "G" ? 1 << 30
                                             : 0;
  if (scale == 0) bad(name, "unknown suffix (use K, M or G)");
  std::int64_t scaled = 0;
  if (__builtin_mul_overflow(value, scale, &scaled)) bad(name, "does not fit 64 bits");
  return scaled;
}

runtime::DType Params::dtype(const std::string& name) const {
  const auto d = runtime::parse_dtype(text(name));
  if (!d) bad(name, "expected a dtype: f16 bf16 f32 i8 i16 i32 u8 u16 u32");
  return *d;
}

nlohmann::ordered_json Params::to_json() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [n, v] : values_) j[n] = v;
  return j;
}

std::string Params::summary() const {
  std::vector<std::string> parts;
  for (const auto& [n, v] : values_) parts.push_back(n + "=" + v);
  return fmt::format("{}", fmt::join(parts, " "));
}

Footprint Bench::check(const Params&, const platform::Topology&) const { return {}; }

std::pair<double, double> Outcome::kernel_span_ns() const {
  if (kernels.empty()) return {0, 0};
  double first = kernels.front().start_ns, last = kernels.front().end_ns;
  for (const KernelRecord& k : kernels) {
    first = std::min(first, k.start_ns);
    last = std::max(last, k.end_ns);
  }
  return {first, last};
}

double Outcome::kernel_ns() const {
  const auto [first, last] = kernel_span_ns();
  return last - first;
}

namespace {
std::vector<double> busy_ns() {
  std::vector<double> busy;
  for (const auto& entry : models::stats_registry().resources()) {
    busy.push_back(static_cast<double>(entry.resource->stats().busy_ps) / 1000.0);
  }
  return busy;
}
}  // namespace

double Outcome::launch_skew_ns() const {
  if (pe_start_ns.empty()) return 0;
  const auto [first, last] = std::minmax_element(pe_start_ns.begin(), pe_start_ns.end());
  return *last - *first;
}

void Outcome::measure(const std::function<std::vector<runtime::Handle>()>& launch) {
  // The host's copies are waited before and after: what is booked in between is the work's.
  const std::vector<double> before = busy_ns();
  const std::vector<double> energy_before = platform::energy_snapshot();
  const std::vector<runtime::Handle> handles = launch();
  const std::vector<double> after = busy_ns();
  const std::vector<double> energy_after = platform::energy_snapshot();
  window_energy_pj.resize(energy_after.size(), 0.0);
  for (std::size_t i = 0; i < energy_after.size(); ++i) {
    window_energy_pj[i] += energy_after[i] - (i < energy_before.size() ? energy_before[i] : 0.0);
  }
  const auto& resources = models::stats_registry().resources();
  for (std::size_t i = 0; i < before.size(); ++i) {
    if (after[i] > before[i]) window_busy_ns[resources[i].path] += after[i] - before[i];
  }
  for (const runtime::Handle& h : handles) {
    launches.push_back(h);
    for (const models::Completion& c : h.request->completions()) {
      models::Picoseconds start = ~0ULL, end = 0;
      for (const models::PeTiming& t : c.pes) {
        start = std::min(start, t.started_ps);
        end = std::max(end, t.finished_ps);
        pe_start_ns.push_back(static_cast<double>(t.started_ps) / 1000.0);
        pe_ns.push_back(static_cast<double>(t.finished_ps - t.started_ps) / 1000.0);
      }
      if (c.pes.empty()) continue;
      kernels.push_back({h.meta.name, c.sip, static_cast<double>(start) / 1000.0,
                         static_cast<double>(end) / 1000.0});
    }
  }
}

Footprint check_placement(const platform::Topology& topology, const std::string& what,
                          const std::vector<std::int64_t>& shape, runtime::DType dtype,
                          const runtime::DPPolicy& dp, std::optional<std::int64_t> device_sip) {
  std::uint64_t bytes = runtime::itemsize(dtype);
  bool overflows = false;
  for (const std::int64_t d : shape) {
    overflows = overflows || __builtin_mul_overflow(bytes, static_cast<std::uint64_t>(d), &bytes);
  }
  const std::uint64_t address_space = runtime::VirtualAllocator::size_for(topology);
  if (overflows || bytes > address_space) {
    throw BenchUsageError(fmt::format(
        "tensor {} of {} elements of {} needs {} bytes; the runtime's address space holds {} "
        "(the machine's device memory)",
        what, fmt::join(shape, " x "), runtime::to_string(dtype),
        overflows ? std::string("more than 2^64") : std::to_string(bytes), address_space));
  }
  runtime::Placement placement;
  try {
    placement = runtime::resolve_placement(dp, shape, dtype, runtime::MachineShape::of(topology),
                                           device_sip);
  } catch (const runtime::PlacementError& e) {
    throw BenchUsageError(fmt::format("tensor {} ({}) as {}: {}", what, fmt::join(shape, " x "),
                                      dp.to_string(), e.what()));
  }
  const bool sram = dp.memory == runtime::MemoryKind::sram;
  const std::uint64_t capacity =
      sram ? topology.sram_bytes_per_cube() : topology.hbm_bytes_per_slice();
  if (!placement.shards.empty() && placement.block_bytes > capacity) {
    throw BenchUsageError(fmt::format("tensor {} puts {} bytes on each PE; its {} holds {}", what,
                                      placement.block_bytes, sram ? "cube's SRAM" : "HBM slice",
                                      capacity));
  }
  // Every PE's shard is a copy in its HBM slice; in SRAM a cube's PEs share each block.
  Footprint footprint;
  std::set<std::tuple<std::uint32_t, std::uint32_t, std::uint64_t>> sram_blocks;
  const std::uint64_t page = topology.page_size();
  for (const runtime::Shard& s : placement.shards) {
    if (!sram || sram_blocks.insert({s.sip, s.cube, s.block}).second) {
      footprint.device_bytes += s.nbytes;
    }
    if (!sram) footprint.pe_hbm_bytes[s.global_pe] += (s.nbytes + page - 1) / page * page;
  }
  return footprint;
}

std::optional<HbmShortfall> hbm_shortfall(const Footprint& f, const platform::Topology& t) {
  std::optional<HbmShortfall> worst;
  const auto pes = static_cast<std::uint64_t>(t.pes_per_cube());
  for (const auto& [pe, bytes] : f.pe_hbm_bytes) {
    const std::uint64_t capacity =
        runtime::hbm_partition(t, static_cast<std::uint32_t>(pe % pes)).size;
    if (bytes > capacity && (!worst || bytes - capacity > worst->needed - worst->capacity)) {
      worst = HbmShortfall{pe, bytes, capacity};
    }
  }
  return worst;
}

void check_capacity(const Footprint& f, const platform::Topology& t) {
  const std::optional<HbmShortfall> s = hbm_shortfall(f, t);
  if (!s) return;
  const auto pes = static_cast<std::uint64_t>(t.pes_per_cube());
  const auto cubes = static_cast<std::uint64_t>(t.cubes_per_sip());
  throw BenchUsageError(fmt::format(
      "the run's tensors need {} bytes of HBM on sip{}.cube{}.pe{}, whose part of its HBM slice "
      "holds {} (cube.memory_map.hbm_total_gb_per_cube = {} GiB over {} slices and {} PEs): "
      "use smaller sizes or a machine with more HBM",
      s->needed, s->pe / (pes * cubes), s->pe / pes % cubes, s->pe % pes, s->capacity,
      t.cube.memory_map.hbm_total_gb_per_cube, t.cube.memory_map.hbm_slices_per_cube, pes));
}

runtime::HostTensor bench_data(std::vector<std::int64_t> shape, runtime::DType dtype,
                               bool timing_only, std::uint32_t seed) {
  if (timing_only) return runtime::HostTensor::shape_only(std::move(shape), dtype);
  runtime::HostTensor t(std::move(shape), dtype);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> real(-1.0f, 1.0f);
  std::uniform_int_distribution<int> small(-50, 50);
  unsigned char* out = t.bytes().data();
  const std::size_t item = runtime::itemsize(dtype);
  for (std::size_t i = 0; i < t.elements(); ++i, out += item) {
    switch (dtype) {
      case runtime::DType::f32: {
        const float v = real(rng);
        std::memcpy(out, &v, item);
        break;
      }
      case runtime::DType::f16: {
        const std::uint16_t v = runtime::f32_to_f16(real(rng));
        std::memcpy(out, &v, item);
        break;
      }
      case runtime::DType::bf16: {
        const std::uint16_t v = runtime::f32_to_bf16(real(rng));
        std::memcpy(out, &v, item);
        break;
      }
      default: {  // integers: small values, little-endian, sign-extended
        const std::int64_t v = small(rng);
        std::memcpy(out, &v, item);
      }
    }
  }
  return t;
}

namespace {
std::vector<std::unique_ptr<Bench>>& registry() {
  static std::vector<std::unique_ptr<Bench>> all;
  return all;
}
}  // namespace

const std::vector<std::unique_ptr<Bench>>& benches() { return registry(); }

BenchRegistration::BenchRegistration(std::unique_ptr<Bench> bench) {
  std::vector<std::unique_ptr<Bench>>& all = registry();
  const std::string name = bench->name();
  const auto at =
      std::lower_bound(all.begin(), all.end(), name,
                       [](const auto& b, const std::string& n) { return b->name() < n; });
  if (at != all.end() && (*at)->name() == name) {
    std::fprintf(stderr, "two benches are called '%s'\n", name.c_str());
    std::abort();
  }
  all.insert(at, std::move(bench));
}

runtime::Tensor upload(runtime::RuntimeContext& ctx, const runtime::HostTensor& host,
                       const runtime::DPPolicy& dp, const std::string& name) {
  runtime::Tensor t = ctx.empty(host.shape(), host.dtype(), dp, name);
  ctx.copy_(t, host);
  return t;
}

void set_traffic_bound(Outcome& out, const runtime::Traffic& traffic) {
  out.bound_model = "traffic";
  out.bound = traffic.bound();
}

const Bench& find_bench(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& b : benches()) {
    if (b->name() == name) return *b;
    names.push_back(b->name());
  }
  const auto near = platform::did_you_mean(name, names);
  throw BenchUsageError(fmt::format("no bench '{}'{}; benches: {}", name,
                                    near ? fmt::format(" (did you mean '{}'?)", *near) : "",
                                    fmt::join(names, ", ")));
}

const std::vector<runtime::NodeRun>& run_workload(
    const runtime::WorkloadGraph& graph, const std::vector<runtime::RuntimeContext*>& devices,
    Outcome& out, runtime::LaunchMode launch) {
  out.measure([&] {
    runtime::Executor executor(devices, launch);
    out.workload_runs = executor.run(graph);
    out.graph_load_ns = executor.graph_load_ns();
    std::vector<runtime::Handle> handles;
    for (const runtime::NodeRun& r : out.workload_runs)
      handles.insert(handles.end(), r.handles.begin(), r.handles.end());
    return handles;
  });
  out.workload = std::make_shared<runtime::WorkloadGraph>(graph);
  const runtime::WorkloadGraph::Path path = graph.critical_bound_path();
  out.bound_model = fmt::format("critical path of per-node bounds ({} of {} nodes)",
                                path.nodes.size(), graph.nodes().size());
  out.bound = path.bound;
  return out.workload_runs;
}

}  // namespace kb::bench

#pragma once
// Benches: host programs that run a workload on the machine, verify it against a host
// reference, and state the analytical bound of their work (docs/bounds.md).

#include "platform/topology/topology.h"
#include "platform/units.h"
#include "runtime/bound/traffic.h"
#include "runtime/context/runtime_context.h"
#include "runtime/kernels/reference.h"
#include "runtime/workload/executor.h"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace kb::bench {

// A bad bench name or parameter: the command line's fault (exit code 2).
class BenchUsageError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct Param {
  // How a value is checked before the run: as its default reads (0: a count, with a decimal
  // point: a number, other digits: a positive integer, else text), or as a count or as text
  // whatever its default (text the bench parses itself, "512" or "uniform:1:9").
  enum class Kind { inferred, count, text };
  std::string name;
  std::string default_value;
  std::string description;
  std::string unit = {};  // of its value ("B" for sizes); empty for counts and choices
  Kind kind = Kind::inferred;
};

// A bench's parameters: defaults overridden by `--param NAME=VALUE`.
class Params {
 public:
  Params(const std::string& bench, const std::vector<Param>& declared,
         const std::vector<std::string>& given);

  // Integers take binary suffixes: 64K, 16M, 1G.
  std::int64_t integer(const std::string& name) const;
  // An integer or 0 (parameters whose default is 0 take it: "all", "automatic").
  std::int64_t count(const std::string& name) const;
  // A number from 0 to 1e6 (parameters whose default has a decimal point take it).
  double real(const std::string& name) const;
  std::string text(const std::string& name) const;
  runtime::DType dtype(const std::string& name) const;
  nlohmann::ordered_json to_json() const;
  std::string summary() const;  // "M=1024 N=1024 ..."

 private:
  [[noreturn]] void bad(const std::string& name, const std::string& why) const;
  std::string bench_;
  std::vector<std::pair<std::string, std::string>> values_;  // declared order
};

// What a run's tensors take on the device: the basis of its host-memory estimate, since
// a functional run keeps every device byte in host memory too (README, "The command line").
struct Footprint {
  std::uint64_t device_bytes = 0;
  // What each PE's allocator must hand out of its part of its HBM slice (shards rounded up
  // to pages, as it allocates them), by global PE index.
  std::map<std::uint64_t, std::uint64_t> pe_hbm_bytes;
  // What check() worked out that run() needs too, of the bench's own type (set on the
  // footprint check() returns; sums do not carry it): run_bench hands it to run() as
  // Outcome::prepared, so costly work (a trace's plan, a model's mapping) is done once.
  std::shared_ptr<void> prepared;
  Footprint& operator+=(const Footprint& o) {
    device_bytes += o.device_bytes;
    for (const auto& [pe, bytes] : o.pe_hbm_bytes) pe_hbm_bytes[pe] += bytes;
    return *this;
  }
};

// The PE whose part of its HBM slice is most oversubscribed by `f`, if any: its global
// index, what it needs and what its part holds.
struct HbmShortfall {
  std::uint64_t pe = 0;
  std::uint64_t needed = 0;
  std::uint64_t capacity = 0;
};
std::optional<HbmShortfall> hbm_shortfall(const Footprint& f, const platform::Topology& t);
// Refuses (BenchUsageError) a footprint that some PE's part of HBM cannot hold: before
// anything is elaborated, instead of an allocator's "out of memory" during the run.
void check_capacity(const Footprint& f, const platform::Topology& t);

struct KernelRecord {
  std::string name;
  std::uint32_t sip = 0;
  double start_ns = 0, end_ns = 0;
};

// A slice for the timeline beyond the PEs' kernels: a workload node on its layer's track.
struct TimelineSpan {
  std::string track;  // "sip0.layer L3"
  std::string name;
  std::string category;
  double begin_ns = 0, end_ns = 0;
};

// A counter sample for the timeline beyond the machine's own (the serve bench's batch size).
struct TimelineCounter {
  std::string track;
  std::string series;
  double at_ns = 0;
  double value = 0;
};

struct Outcome {
  bool verified = false;  // false: verification was skipped (timing-only)
  runtime::Verification verification;
  std::string bound_model;  // what the bound describes: "traffic", "alpha-beta ring"...
  runtime::Bound bound;
  // Busy time each resource gained while the measured work ran (measure()), by path.
  std::map<std::string, double> window_busy_ns;
  // Dynamic energy each account gained in it, in registry order (platform/energy_report.h).
  std::vector<double> window_energy_pj;
  double flops = 0;  // work done, for achieved rates (0: not a compute bench)
  double bytes = 0;
  double tokens = 0;  // tokens produced, for energy per token (0: not a token workload)
  std::vector<KernelRecord> kernels;
  std::vector<double> pe_start_ns, pe_ns;  // every PE's kernel start and time
  std::vector<runtime::Handle> launches;   // for per-PE timeline slices
  std::vector<TimelineSpan> spans;         // further timeline slices
  std::vector<TimelineCounter> counters;   // and counters
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();  // algbw_gbps, busbw_gbps...
  platform::Units units;  // of the figures in `extra`, by their path in the report
  // Contexts a bench made for its devices, destroyed after the simulation: their tensors
  // stay with the model (which the process's exit reclaims, ADR 0011) instead of being
  // unmapped in simulated time after everything measured.
  std::vector<std::unique_ptr<runtime::RuntimeContext>> device_contexts;
  // A graph-based bench's workload as it ran (kernbench's --chakra-out writes it).
  std::shared_ptr<const runtime::WorkloadGraph> workload;
  std::vector<runtime::NodeRun> workload_runs;
  double graph_load_ns = 0;  // the graph's hand-off before its first node (device launches)
  // The measured region's length when it is not the kernels' span: a serving run's span on
  // its own clock (its energy is then window_energy_pj over that span).
  double window_ns = 0;

  // The measured region: first kernel start to last kernel end ({0, 0} without kernels).
  std::pair<double, double> kernel_span_ns() const;
  double kernel_ns() const;
  // The spread of the PEs' kernel starts: how long the launch took to reach them all.
  double launch_skew_ns() const;
  // Footprint::prepared of this run's check(), for the bench's run().
  std::shared_ptr<void> prepared;

  // Runs the measured work (`launch` returns its waited handles), records its kernels and
  // what it added to every resource's busy time.
  void measure(const std::function<std::vector<runtime::Handle>()>& launch);
};

class Bench {
 public:
  virtual ~Bench() = default;
  virtual std::string name() const = 0;
  virtual std::string description() const = 0;
  virtual std::vector<Param> params() const = 0;
  // Rejects parameter values this topology cannot run (BenchUsageError), before the run,
  // and says what its tensors will take.
  virtual Footprint check(const Params& params, const platform::Topology& topology) const;
  // Runs in a host thread. In timing-only runs the same requests are made (so simulated
  // time is identical) but nothing is verified.
  virtual void run(runtime::RuntimeContext& ctx, const Params& params, bool timing_only,
                   Outcome& outcome) const = 0;
  // False for benches whose figures need no values on the machine (they verify nothing):
  // they run timing-only, asked or not.
  virtual bool verifies() const { return true; }
  // True for benches that run a workload graph and leave it in Outcome::workload.
  virtual bool runs_workload() const { return false; }
};

// Every registered bench, by name.
const std::vector<std::unique_ptr<Bench>>& benches();
const Bench& find_bench(const std::string& name);

// Registers a bench at static initialisation: each bench is a file of testbenches/benches/
// ending in KB_REGISTER_BENCH (docs/architecture.md, "Where to add what"). A second bench
// of the same name is a programming error that stops the process with a message.
struct BenchRegistration {
  explicit BenchRegistration(std::unique_ptr<Bench> bench);
};

// The runtime's types every bench uses, and the splits by short names, as the benches'
// placements read best: DPPolicy{R, Row, Col}.
using runtime::DPPolicy;
using runtime::DType;
using runtime::HostTensor;
using runtime::Tensor;
constexpr runtime::Split R = runtime::Split::replicate;
constexpr runtime::Split Row = runtime::Split::row_wise;
constexpr runtime::Split Col = runtime::Split::column_wise;

// A device tensor placed by `dp` holding `host`'s values (copied in).
runtime::Tensor upload(runtime::RuntimeContext& ctx, const runtime::HostTensor& host,
                       const runtime::DPPolicy& dp, const std::string& name);

// The bound of a bench whose traffic describes all of its work.
void set_traffic_bound(Outcome& out, const runtime::Traffic& traffic);

// Rejects (BenchUsageError) a tensor `what` that `topology` cannot hold as `dp` places it:
// a dimension that does not divide over the SIPs, cubes or PEs it is split over, or more
// bytes than the runtime's address space or one PE's memory holds. Returns its footprint.
// `device_sip`: placed by a context bound to that SIP (a SIP-level replica lives there only).
Footprint check_placement(const platform::Topology& topology, const std::string& what,
                          const std::vector<std::int64_t>& shape, runtime::DType dtype,
                          const runtime::DPPolicy& dp,
                          std::optional<std::int64_t> device_sip = std::nullopt);

// Runs `graph` on `devices` as the measured work, its kernels launched as `launch` says, and
// leaves it in `out` (Outcome::workload) with its bound: the critical path of its nodes'
// bounds. Returns the node runs (kept in out).
const std::vector<runtime::NodeRun>& run_workload(
    const runtime::WorkloadGraph& graph, const std::vector<runtime::RuntimeContext*>& devices,
    Outcome& out, runtime::LaunchMode launch = runtime::LaunchMode::host);

// A host tensor of values in [-1, 1] (floats) or small integers; in timing-only runs, where
// contents do not matter, one without storage.
runtime::HostTensor bench_data(std::vector<std::int64_t> shape, runtime::DType dtype,
                               bool timing_only, std::uint32_t seed);

}  // namespace kb::bench

// KB_REGISTER_BENCH(id, expression making a std::unique_ptr<Bench>); `id` names the
// registration, one per file.
#define KB_REGISTER_BENCH(id, ...) \
  static const ::kb::bench::BenchRegistration kb_bench_registration_##id { __VA_ARGS__ }

#pragma once
// One run of a bench, as `kernbench run` and the Python module's kernbench.run() do it: the
// topology loaded and checked, the bench's inputs and outputs checked before anything is
// simulated, the simulation, and the report. Both callers share it so that they report the
// same figures for the same request.

#include "models/common/fidelity.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace kb::bench {

struct RunRequest {
  std::string bench;
  std::optional<std::string> topology;  // none: the embedded default
  std::vector<std::string> overrides;   // KEY.PATH=VALUE
  std::vector<std::string> params;      // NAME=VALUE
  std::string report;                   // files to write ("" none)
  std::string vcd;
  std::string vcd_scope = "*";
  std::string timeline;
  std::string chakra_out;
  bool timing_only = false;
  models::Fidelity fidelity = models::Fidelity::transaction;
  // Adds "traces": every waited request's trace (the original's ctx._traces) to the report.
  bool traces = false;
  // Called about once a second of wall time with the simulated time reached.
  std::function<void(double sim_ns, double wall_s)> progress;
};

struct RunResult {
  nlohmann::ordered_json report;
  bool verification_failed = false;
};

// Throws platform::ConfigError, platform::OutputPathError or BenchUsageError for a request
// that cannot run (nothing simulated then), models::SimulationError when the run failed.
RunResult run_bench(const RunRequest& request);

// The progress line both callers show on a terminal, and its erasure when the run ends.
void print_progress(double sim_ns, double wall_s);
void clear_progress();

// Every bench, its description and its parameters' defaults (`kernbench list --json`).
nlohmann::ordered_json benches_json();

}  // namespace kb::bench

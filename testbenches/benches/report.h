#pragma once
// The outputs of `kernbench run`: the JSON report (README, "Outputs": a contract) and the human
// summary.

#include "models/common/fidelity.h"
#include "platform/topology/topology.h"
#include "testbenches/benches/bench.h"

#include <nlohmann/json.hpp>

namespace kb::bench {

struct RunFigures {
  std::string topology_file;
  double sim_time_ns = 0;
  double wall_s = 0;
  std::uint64_t transactions = 0;
  bool timing_only = false;
  std::string timing_only_because;  // a functional run the host could not hold, else empty
  models::Fidelity fidelity = models::Fidelity::transaction;
  std::vector<std::string> overrides;  // --set KEY=VALUE, as given
};

nlohmann::ordered_json make_report(const Bench& bench, const Params& params, const Outcome& outcome,
                                   const platform::Topology& topology, const RunFigures& run);

// A few lines for people, from the report.
std::string summary_text(const nlohmann::ordered_json& report, std::size_t top_components = 5);

}  // namespace kb::bench

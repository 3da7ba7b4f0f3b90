#pragma once
// Running a host program to the end of the simulation, for tests of the runtime.

#include "models/common/simulation_error.h"
#include "runtime/host/host_program.h"

namespace kb::test {

// Runs `program` as the host and the simulation to its end; a fault or deadlock throws
// models::SimulationError.
inline void run_host(platform::Simulation& sim, runtime::HostProgram program) {
  runtime::spawn_host_program(sim, std::move(program));
  sim.run();
}

inline void run_host(const platform::Topology& topology, runtime::HostProgram program,
                     const platform::RunOptions& options = {}) {
  platform::Simulation sim(topology, options);
  run_host(sim, std::move(program));
}

// The failure that ends a run of `program` (SimulationError's message), or "" when none.
inline std::string failure_of(const platform::Topology& topology, runtime::HostProgram program) {
  try {
    run_host(topology, std::move(program));
  } catch (const models::SimulationError& e) {
    return e.what();
  }
  return "";
}

}  // namespace kb::test

#pragma once
// Faults the model detects (an unmapped access, a deadlock, a kernel error) end the run
// cleanly: the process that hit one records it and stops the simulation, and the driver
// reports it after sc_start returns (exit code 3 from the command line).

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

namespace kb::models {

class SimulationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What a failure says: its message, or for host memory running out (std::bad_alloc) what
// the process took, its limit and what to change.
std::string describe(const std::exception& e);

// Runs `body`; on an exception records the first failure and calls sc_stop(). Every
// SC_THREAD body and spawned process of the model runs through this.
void run_guarded(const std::function<void()>& body);

// The first failure recorded since the last clear, if any.
const std::optional<std::string>& simulation_failure();
void clear_simulation_failure();

}  // namespace kb::models

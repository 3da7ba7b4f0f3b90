#pragma once
// Helpers for test cases that elaborate and simulate (one case per process: docs/architecture.md).

#include "models/common/simulation_error.h"
#include "platform/simulation.h"
#include "platform/topology/loader.h"

#include <functional>
#include <string>

namespace kb::test {

// The source tree (KB_SOURCE_DIR), for the test data it holds.
std::string source_dir();
// configs/NAME from the source tree, with overrides.
platform::Topology config(const std::string& name, const platform::Overrides& overrides = {});

// Runs `body` as an SC_THREAD once the simulation starts. Create before sc_start().
class Driver : public sc_core::sc_module {
 public:
  Driver(const sc_core::sc_module_name& name, std::function<void()> body);
  SC_HAS_PROCESS(Driver);
  bool finished() const { return finished_; }

 private:
  void main();
  std::function<void()> body_;
  bool finished_ = false;
};

// The resource registered at `path` ("link.a_to_b"); fails the test when there is none.
const models::Resource& resource(const std::string& path);

// Runs the simulation to the end; fails the test with the model's message on a fault,
// and when the driver did not finish.
void run_to_end(Driver& driver);

}  // namespace kb::test

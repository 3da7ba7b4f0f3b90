#include "testbenches/harness/sim_test.h"

#include <boost/test/unit_test.hpp>

#include <cstdlib>

namespace kb::test {

std::string source_dir() {
  const char* dir = std::getenv("KB_SOURCE_DIR");
  BOOST_REQUIRE_MESSAGE(dir != nullptr, "KB_SOURCE_DIR must point at the source tree");
  return dir;
}

platform::Topology config(const std::string& name, const platform::Overrides& overrides) {
  return platform::load_topology_file(source_dir() + "/configs/" + name, overrides);
}

Driver::Driver(const sc_core::sc_module_name& name, std::function<void()> body)
    : sc_core::sc_module(name), body_(std::move(body)) {
  SC_THREAD(main);
}

void Driver::main() {
  models::run_guarded([this] {
    body_();
    finished_ = true;
  });
}

void run_to_end(Driver& driver) {
  models::clear_simulation_failure();
  sc_core::sc_start();
  if (const auto& failure = models::simulation_failure()) BOOST_FAIL(*failure);
  BOOST_REQUIRE_MESSAGE(driver.finished(), "the test body did not finish (deadlock?)");
}

const models::Resource& resource(const std::string& path) {
  for (const auto& entry : models::stats_registry().resources()) {
    if (entry.path == path) return *entry.resource;
  }
  throw std::runtime_error("no resource registered at " + path);
}

}  // namespace kb::test

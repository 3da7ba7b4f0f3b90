#include "models/common/simulation_error.h"

#include <systemc>

namespace kb::models {

namespace {
std::optional<std::string>& failure() {
  static std::optional<std::string> first;
  return first;
}
}  // namespace

void run_guarded(const std::function<void()>& body) {
  try {
    body();
  } catch (const sc_core::sc_unwind_exception&) {
    throw;  // a killed or reset process unwinding: not a failure
  } catch (const std::exception& e) {
    if (!failure()) failure() = e.what();
    sc_core::sc_stop();
  }
}

const std::optional<std::string>& simulation_failure() { return failure(); }
void clear_simulation_failure() { failure().reset(); }

}  // namespace kb::models

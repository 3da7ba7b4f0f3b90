#include "models/common/simulation_error.h"

#include <systemc>

#include <fmt/format.h>
#include <sys/resource.h>

#include <new>

namespace kb::models {

std::string describe(const std::exception& e) {
  // A process's stack is host memory too: SystemC reports failing to map one as E518.
  const auto* report = dynamic_cast<const sc_core::sc_report*>(&e);
  const bool stack =
      report != nullptr && std::string(report->get_msg_type()) == "stack setup failed";
  if (dynamic_cast<const std::bad_alloc*>(&e) == nullptr && !stack) return e.what();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  rlimit limit{};
  getrlimit(RLIMIT_AS, &limit);
  const std::string cap =
      limit.rlim_cur == RLIM_INFINITY
          ? std::string("no address-space limit")
          : fmt::format("address-space limit (ulimit -v) {} MiB", limit.rlim_cur >> 20);
  return fmt::format(
      "host memory ran out: the process had reached {} MiB resident, {}; free host memory, "
      "raise the limit, or run smaller sizes or --timing-only (no data kept)",
      usage.ru_maxrss >> 10, cap);
}

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
    if (!failure()) failure() = describe(e);
    sc_core::sc_stop();
  }
}

const std::optional<std::string>& simulation_failure() { return failure(); }
void clear_simulation_failure() { failure().reset(); }

}  // namespace kb::models

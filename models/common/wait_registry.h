#pragma once
// What each blocked process is waiting for, so that a run that runs out of events while
// someone still waits ends with a deadlock report naming them, not with silence.

#include <cstdint>
#include <string>
#include <vector>

namespace kb::models {

// Registers "`what`" for as long as it lives (around a blocking wait).
class ScopedWait {
 public:
  explicit ScopedWait(std::string what);
  ~ScopedWait();
  ScopedWait(const ScopedWait&) = delete;
  ScopedWait& operator=(const ScopedWait&) = delete;

 private:
  std::uint64_t id_;
};

// Everything currently waited for, in registration order.
std::vector<std::string> current_waits();

}  // namespace kb::models

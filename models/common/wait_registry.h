#pragma once
// What each blocked process is waiting for, so that a run that runs out of events while
// someone still waits ends with a deadlock report naming them, not with silence.

#include <functional>
#include <string>
#include <vector>

namespace kb::models {

// Registers what a process waits for as long as it lives (around a blocking wait). The
// registrations form a list through the objects themselves, on the waiting processes'
// stacks: registering allocates nothing.
class ScopedWait {
 public:
  // Described now.
  explicit ScopedWait(std::string what);
  // Described only if a report asks (`describe` must outlive this): the waits of a run's
  // every step cost no formatting.
  explicit ScopedWait(const std::function<std::string()>& describe);
  ~ScopedWait();
  ScopedWait(const ScopedWait&) = delete;
  ScopedWait& operator=(const ScopedWait&) = delete;

 private:
  void enlist();
  std::string what_;
  const std::function<std::string()>* describe_ = nullptr;
  ScopedWait* prev_ = nullptr;
  ScopedWait* next_ = nullptr;
  friend std::vector<std::string> current_waits();
};

// Everything currently waited for, in registration order.
std::vector<std::string> current_waits();

}  // namespace kb::models

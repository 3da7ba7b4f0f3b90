#pragma once
// A value per calling host thread (set_device, a rank's number), keyed by the SystemC
// process itself, not its name: SystemC gives a finished thread's name to the next thread
// spawned with it, which must not inherit the old binding. A handle held here keeps its
// process alive; the handles of finished threads go at the next set(), so that a program
// that spawns threads one after another keeps neither their processes nor their names.

#include <systemc>

#include <map>
#include <optional>

namespace kb::runtime {

template <typename T>
class PerThread {
 public:
  void set(T value) {
    for (auto it = values_.begin(); it != values_.end();) {
      it = it->first.terminated() ? values_.erase(it) : std::next(it);
    }
    values_[sc_core::sc_get_current_process_handle()] = std::move(value);
  }
  std::optional<T> get() const {
    const auto it = values_.find(sc_core::sc_get_current_process_handle());
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::map<sc_core::sc_process_handle, T> values_;
};

}  // namespace kb::runtime

#pragma once
// The base of every model: a named SystemC module with its clock, its resources
// registered in the statistics tree, and errors that name the component.

#include "models/common/energy.h"
#include "models/common/resource.h"
#include "models/common/sim_time.h"
#include "models/common/stats.h"

#include <fmt/format.h>

#include <list>
#include <string>

namespace kb::models {

class Component : public sc_core::sc_module {
 public:
  explicit Component(const sc_core::sc_module_name& name, double freq_ghz = 1.0);

  double freq_ghz() const { return period_.freq_ghz(); }
  Picoseconds cycles(std::uint64_t n) const { return period_.of(n); }

  // Throws a SimulationError naming this component; the process running it stops the run.
  template <class... Args>
  [[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) const {
    fail_message(fmt::format(format, std::forward<Args>(args)...));
  }

 protected:
  // A resource owned by this component, registered as "<component>.<role>".
  Resource& add_resource(const std::string& role, double bw_gbps);
  QueueStats& add_queue(const std::string& role);
  // This component's energy account (one per component), in its cube's power domain.
  EnergyAccount& add_energy(EnergyClass cls, double static_w);
  // A value shown in the VCD as NAME.role (docs/platform.md, "Waveforms").
  TracedValue& add_value(const std::string& role, unsigned width,
                         std::vector<std::string> labels = {});
  // The same, its values named by a table shared with others (TracedValue).
  TracedValue& add_value(const std::string& role, unsigned width,
                         const std::vector<std::string>* shared_labels);

 private:
  [[noreturn]] void fail_message(const std::string& message) const;
  TracedValue& registered(const std::string& role, TracedValue& value);

  ClockPeriod period_;
  // Lists: stable addresses for the registry, and nothing allocated while empty (a deque
  // allocates a block up front: 2.3 KB a component for these four, a third of the
  // model's memory on 64 SIPs).
  std::list<Resource> resources_;
  std::list<QueueStats> queues_;
  std::list<EnergyAccount> energy_;
  std::list<TracedValue> values_;
};

}  // namespace kb::models

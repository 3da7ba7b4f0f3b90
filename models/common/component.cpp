#include "models/common/component.h"

#include "models/common/simulation_error.h"

namespace kb::models {

Component::Component(const sc_core::sc_module_name& name, double freq_ghz)
    : sc_core::sc_module(name), period_(freq_ghz) {}

Resource& Component::add_resource(const std::string& role, double bw_gbps) {
  Resource& r = resources_.emplace_back(bw_gbps);
  stats_registry().add(std::string(name()) + "." + role, r);
  return r;
}

QueueStats& Component::add_queue(const std::string& role) {
  QueueStats& q = queues_.emplace_back();
  stats_registry().add(std::string(name()) + "." + role, q);
  return q;
}

EnergyAccount& Component::add_energy(EnergyClass cls, double static_w) {
  EnergyAccount& a = energy_.emplace_back(cls, power_meter().domain_of(name()), static_w);
  stats_registry().add(name(), a);
  return a;
}

TracedValue& Component::add_value(const std::string& role, unsigned width,
                                  std::vector<std::string> labels) {
  return registered(role, values_.emplace_back(width, std::move(labels)));
}

TracedValue& Component::add_value(const std::string& role, unsigned width,
                                  const std::vector<std::string>* shared_labels) {
  return registered(role, values_.emplace_back(width, shared_labels));
}

TracedValue& Component::registered(const std::string& role, TracedValue& value) {
  stats_registry().add(std::string(name()) + "." + role, value);
  return value;
}

void Component::fail_message(const std::string& message) const {
  throw SimulationError(std::string(name()) + ": " + message);
}

}  // namespace kb::models

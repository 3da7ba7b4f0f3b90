#pragma once
// A figure's unit and meaning, declared where the figure is made (as DRAMSys's statistics
// carry theirs). A run's report gathers them in its "units" map, keyed by each figure's path
// in the report ("sim_time_ns", "llm.tpot_ns", "components.*.bytes"), and `kernbench plot`
// labels its axes from there.

#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace kb::platform {

struct Quantity {
  std::string unit;  // "ns", "GB/s", "B"; empty for counts and ratios
  std::string description;
};

class Units {
 public:
  void declare(const std::string& path, std::string unit, std::string description) {
    quantities_[path] = {std::move(unit), std::move(description)};
  }
  // Every quantity of `other`, under `prefix` ("components.*.").
  void add(const std::string& prefix, const Units& other) {
    for (const auto& [path, q] : other.quantities_) quantities_[prefix + path] = q;
  }
  const std::map<std::string, Quantity>& quantities() const { return quantities_; }
  // {path: {"unit": ..., "description": ...}}
  nlohmann::ordered_json to_json() const {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (const auto& [path, q] : quantities_) {
      out[path] = {{"unit", q.unit}, {"description", q.description}};
    }
    return out;
  }

 private:
  std::map<std::string, Quantity> quantities_;
};

}  // namespace kb::platform

#pragma once
// The statistics tree: every resource and queue registers itself under its hierarchical
// name, and reports read them at the end of a run. SystemC elaborates one system per
// process, so one registry per process is enough.

#include "models/common/energy.h"
#include "models/common/resource.h"
#include "models/common/traced_value.h"

#include <string>
#include <vector>

namespace kb::models {

// Told of every change of a queue's depth (timeline counters).
class QueueObserver {
 public:
  virtual ~QueueObserver() = default;
  virtual void on_depth(std::uint64_t depth) = 0;
};

struct QueueStats {
  std::uint64_t pushes = 0;
  std::uint64_t high_water = 0;
  QueueObserver* observer = nullptr;

  // After a push: the depth it reached.
  void on_depth(std::uint64_t depth) {
    ++pushes;
    if (depth > high_water) high_water = depth;
    if (observer != nullptr) observer->on_depth(depth);
  }
  // After a pop: the depth left.
  void on_pop(std::uint64_t depth) {
    if (observer != nullptr) observer->on_depth(depth);
  }
};

class StatsRegistry {
 public:
  struct ResourceEntry {
    std::string path;
    Resource* resource;
  };
  struct QueueEntry {
    std::string path;
    QueueStats* queue;
  };
  struct ValueEntry {
    std::string path;
    TracedValue* value;
  };
  struct EnergyEntry {
    std::string path;
    EnergyAccount* account;
  };

  void add(std::string path, Resource& resource) {
    resources_.push_back({std::move(path), &resource});
  }
  void add(std::string path, QueueStats& queue) { queues_.push_back({std::move(path), &queue}); }
  void add(std::string path, TracedValue& value) { values_.push_back({std::move(path), &value}); }
  void add(std::string path, EnergyAccount& account) {
    energies_.push_back({std::move(path), &account});
  }
  const std::vector<ResourceEntry>& resources() const { return resources_; }
  const std::vector<QueueEntry>& queues() const { return queues_; }
  const std::vector<ValueEntry>& values() const { return values_; }
  const std::vector<EnergyEntry>& energies() const { return energies_; }

 private:
  std::vector<ResourceEntry> resources_;
  std::vector<QueueEntry> queues_;
  std::vector<ValueEntry> values_;
  std::vector<EnergyEntry> energies_;
};

StatsRegistry& stats_registry();

}  // namespace kb::models

#include "platform/statistics.h"

namespace kb::platform {

nlohmann::ordered_json statistics_json(models::Picoseconds sim_time_ps) {
  nlohmann::ordered_json resources = nlohmann::ordered_json::object();
  for (const auto& entry : models::stats_registry().resources()) {
    const models::ResourceStats& s = entry.resource->stats();
    if (s.transactions == 0) continue;
    resources[entry.path] = {
        {"bytes", s.bytes},
        {"transactions", s.transactions},
        {"busy_ns", static_cast<double>(s.busy_ps) / 1000.0},
        {"utilization", sim_time_ps == 0
                            ? 0.0
                            : static_cast<double>(s.busy_ps) / static_cast<double>(sim_time_ps)},
        {"queued_ns", static_cast<double>(s.queued_ps) / 1000.0},
        {"max_pending", s.max_pending},
    };
  }
  nlohmann::ordered_json queues = nlohmann::ordered_json::object();
  for (const auto& entry : models::stats_registry().queues()) {
    if (entry.queue->pushes == 0) continue;
    queues[entry.path] = {{"pushes", entry.queue->pushes}, {"high_water", entry.queue->high_water}};
  }
  return {{"resources", std::move(resources)}, {"queues", std::move(queues)}};
}

}  // namespace kb::platform

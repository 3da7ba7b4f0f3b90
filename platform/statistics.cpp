#include "platform/statistics.h"

#include "platform/util/json_append.h"

#include <algorithm>
#include <iterator>

namespace kb::platform {

namespace {

// Each figure of a resource: its name, unit and meaning beside how it is computed.
struct ResourceFigure {
  const char* name;
  const char* unit;
  const char* description;
  nlohmann::ordered_json (*value)(const models::ResourceStats& s, double sim_ps);
};

const ResourceFigure kResourceFigures[] = {
    {"bytes", "B", "bytes it carried",
     [](const models::ResourceStats& s, double) -> nlohmann::ordered_json { return s.bytes; }},
    {"transactions", "", "transfers that moved bytes through it",
     [](const models::ResourceStats& s, double) -> nlohmann::ordered_json {
       return s.transactions;
     }},
    {"busy_ns", "ns", "time it was booked",
     [](const models::ResourceStats& s, double) -> nlohmann::ordered_json {
       return static_cast<double>(s.busy_ps) / 1000.0;
     }},
    {"utilization", "", "busy time over the simulated time",
     [](const models::ResourceStats& s, double sim_ps) -> nlohmann::ordered_json {
       return sim_ps == 0 ? 0.0 : static_cast<double>(s.busy_ps) / sim_ps;
     }},
    {"queued_ns", "ns", "time transfers waited for it",
     [](const models::ResourceStats& s, double) -> nlohmann::ordered_json {
       return static_cast<double>(s.queued_ps) / 1000.0;
     }},
    {"max_pending", "", "most bookings ahead of the current time at once",
     [](const models::ResourceStats& s, double) -> nlohmann::ordered_json {
       return s.max_pending;
     }},
};

}  // namespace

nlohmann::ordered_json statistics_json(models::Picoseconds sim_time_ps) {
  const auto& registered = models::stats_registry();
  const auto used = [](const auto& entry) { return entry.resource->stats().transactions != 0; };
  nlohmann::ordered_json resources = reserved_object(static_cast<std::size_t>(
      std::count_if(registered.resources().begin(), registered.resources().end(), used)));
  for (const auto& entry : registered.resources()) {
    if (!used(entry)) continue;
    // Room for the figures and the two a report adds.
    nlohmann::ordered_json& r =
        append_distinct(resources, entry.path, reserved_object(std::size(kResourceFigures) + 2));
    for (const ResourceFigure& f : kResourceFigures) {
      append_distinct(r, f.name,
                      f.value(entry.resource->stats(), static_cast<double>(sim_time_ps)));
    }
  }
  const auto pushed = [](const auto& entry) { return entry.queue->pushes != 0; };
  nlohmann::ordered_json queues = reserved_object(static_cast<std::size_t>(
      std::count_if(registered.queues().begin(), registered.queues().end(), pushed)));
  for (const auto& entry : registered.queues()) {
    if (!pushed(entry)) continue;
    append_distinct(queues, entry.path,
                    {{"pushes", entry.queue->pushes}, {"high_water", entry.queue->high_water}});
  }
  return {{"resources", std::move(resources)}, {"queues", std::move(queues)}};
}

Units statistics_units() {
  Units u;
  for (const ResourceFigure& f : kResourceFigures) u.declare(f.name, f.unit, f.description);
  return u;
}

Units queue_units() {
  Units u;
  u.declare("pushes", "", "entries pushed");
  u.declare("high_water", "", "most entries it held at once");
  return u;
}

}  // namespace kb::platform

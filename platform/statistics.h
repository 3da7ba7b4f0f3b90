#pragma once
// The statistics tree of a run as JSON: per resource bytes, transactions, busy time,
// utilisation (busy / simulated time), queueing; per queue its high-water mark.

#include "models/common/stats.h"
#include "platform/units.h"

#include <nlohmann/json.hpp>

namespace kb::platform {

// {"resources": {path: {...}}, "queues": {path: {...}}}; resources never used are left out.
nlohmann::ordered_json statistics_json(models::Picoseconds sim_time_ps);

// The units of each resource's and each queue's figures, by figure name.
Units statistics_units();
Units queue_units();

}  // namespace kb::platform

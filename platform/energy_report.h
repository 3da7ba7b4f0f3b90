#pragma once
// The energy of a measured region as the report states it (docs/energy.md): the dynamic
// energy every account gained in it, the static energy of the whole machine over its
// duration, by class and by component, average and peak power.

#include "models/common/energy.h"
#include "platform/units.h"

#include <nlohmann/json.hpp>

#include <vector>

namespace kb::platform {

// Every registered account's dynamic energy so far, in pJ, in registry order.
std::vector<double> energy_snapshot();

// The machine's static power: the sum of every account's.
double static_power_w();

// `gained_pj`: what each account gained in the region (the difference of two snapshots);
// the region is [begin, end). The `top` components with the most energy are listed.
nlohmann::ordered_json energy_json(const std::vector<double>& gained_pj, models::Picoseconds begin,
                                   models::Picoseconds end, std::size_t top = 10);

// The units of energy_json's figures, by their path under `energy.`.
Units energy_units();

}  // namespace kb::platform

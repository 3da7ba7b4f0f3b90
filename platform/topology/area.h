#pragma once
// The machine's silicon area from its topology keys (docs/energy.md, "Area"): each
// component's area attributes times how many of it the machine has.

#include "platform/topology/topology.h"

#include <map>
#include <string>

namespace kb::platform {

struct Area {
  double total_mm2 = 0.0;
  std::map<std::string, double> by_class_mm2;  // the energy classes (models/common/energy.h)
};

Area machine_area(const Topology& t);

}  // namespace kb::platform

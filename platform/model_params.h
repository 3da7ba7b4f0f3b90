#pragma once
// The one translation from the topology (YAML keys, user units) to the models'
// parameters (model units).

#include "models/machine_params.h"
#include "platform/topology/topology.h"

namespace kb::platform {

struct RunOptions {
  bool timing_only = false;
};

models::MachineParams machine_params(const Topology& topology, const RunOptions& options = {});

}  // namespace kb::platform

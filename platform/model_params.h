#pragma once
// The one translation from the topology (YAML keys, user units) to the models'
// parameters (model units).

#include "models/machine_params.h"
#include "platform/topology/topology.h"

#include <string>

namespace kb::platform {

struct RunOptions {
  bool timing_only = false;  // skip payload data movement; timing is identical
  models::Fidelity fidelity = models::Fidelity::transaction;  // how bulk data is cut
  std::string vcd_path;                                       // empty: no waveform
  std::string vcd_scope = "*";  // glob over resource paths, e.g. "system.sip0.cube0.*"
};

models::MachineParams machine_params(const Topology& topology, const RunOptions& options = {});

}  // namespace kb::platform

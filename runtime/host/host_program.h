#pragma once
// Host programs run as SC_THREADs, so that every wait on the machine is a wait in
// simulated time. Spawn them after elaboration and before Simulation::run().

#include "runtime/context/runtime_context.h"

#include <functional>

namespace kb::runtime {

using HostProgram = std::function<void(RuntimeContext&)>;
using RankProgram = std::function<void(RuntimeContext&, std::uint32_t rank)>;

// One host thread with its own context, closed (every live tensor freed) when `program`
// returns.
void spawn_host_program(platform::Simulation& simulation, HostProgram program,
                        Device device = Device::all());

// `ranks` host threads "rank0".. sharing one context (the seed's greenlets); the context
// closes when the last rank returns. Each rank may bind its own SIP (ahbm.set_device).
void spawn_ranks(platform::Simulation& simulation, std::uint32_t ranks, RankProgram program,
                 Device device = Device::all());

}  // namespace kb::runtime

#pragma once
// Host programs run as SC_THREADs, so that every wait on the machine is a wait in
// simulated time. Spawn them after elaboration and before Simulation::run().

#include "runtime/context/runtime_context.h"

#include <functional>

namespace kb::runtime {

using HostProgram = std::function<void(RuntimeContext&)>;
using RankProgram = std::function<void(RuntimeContext&, std::uint32_t rank)>;

// A host thread running `body` through models::run_guarded (a throw stops the run with its
// message). `stack_bytes`: the thread's stack (0: SystemC's default), for bodies that run
// deep code, an interpreter's say, on it.
void spawn_host_thread(const std::function<void()>& body, const char* name,
                       std::size_t stack_bytes = 0);

// One host thread with its own context, closed (every live tensor freed) when `program`
// returns.
void spawn_host_program(platform::Simulation& simulation, HostProgram program,
                        Device device = Device::all(), std::size_t stack_bytes = 0);

// `ranks` host threads "rank0".. sharing one context (the seed's greenlets); the context
// closes when the last rank returns. Each rank may bind its own SIP (ahbm.set_device).
void spawn_ranks(platform::Simulation& simulation, std::uint32_t ranks, RankProgram program,
                 Device device = Device::all(), std::size_t stack_bytes = 0);

}  // namespace kb::runtime

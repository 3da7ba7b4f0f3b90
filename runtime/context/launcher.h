#pragma once
// Kernel launches (the seed's launch): one KernelLaunch per SIP, sent to the cubes that
// take part and run by the PEs that do, each instance bound to its arguments and given TCM
// scratch from its PE's allocator.

#include "runtime/kernel/bound_kernel.h"
#include "runtime/memory/device_memory.h"
#include "runtime/requests/launch_mode.h"
#include "runtime/requests/requests.h"

#include <map>
#include <optional>
#include <set>

namespace kb::runtime {

// Explicit PEs for a launch: `pes` of the `cubes` of each SIP (by SIP index).
struct PeScope {
  std::map<std::uint32_t, std::set<std::uint32_t>> cubes;
  std::vector<std::uint32_t> pes;

  // The cubes holding `pes` and their PE indices (a launch runs each index in each cube).
  static PeScope of(const std::vector<PeCoord>& pes);
};

// How a launch runs: by default on the PEs that hold its tensor arguments' shards (every
// PE of their cubes when a tensor covers them all), waited for; `on` names the PEs instead.
struct Launch {
  std::optional<PeScope> on = std::nullopt;
  bool wait = true;

  // Submitted, not waited for (the seed's launch(..., _defer_wait=True)).
  static Launch deferred() { return {std::nullopt, false}; }
  static Launch on_pes(PeScope scope, bool wait = true) { return {std::move(scope), wait}; }
};

class Launcher {
 public:
  Launcher(Requests& requests, DeviceMemory& memory, const platform::Topology& topology,
           const MachineShape& machine);

  // Every SIP is submitted before any is waited on (multi-SIP kernels that exchange data
  // deadlock otherwise). Returns each SIP's handle, in SIP order.
  std::vector<Handle> launch(const std::string& name, KernelFn kernel, std::vector<LaunchArg> args,
                             const Launch& how);
  void set_mode(LaunchMode mode) { mode_ = mode; }
  LaunchMode mode() const { return mode_; }

 private:
  Requests& requests_;
  DeviceMemory& memory_;
  CoreCosts costs_;
  MachineShape machine_;
  LaunchMode mode_ = LaunchMode::host;
};

}  // namespace kb::runtime

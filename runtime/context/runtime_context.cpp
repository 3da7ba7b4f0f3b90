#include "runtime/context/runtime_context.h"

#include "runtime/kernels/registry.h"

#include <fmt/format.h>

#include <exception>

namespace kb::runtime {

namespace {

bool in_thread() {
  const sc_core::sc_process_handle self = sc_core::sc_get_current_process_handle();
  return self.valid() && self.proc_kind() == sc_core::SC_THREAD_PROC_;
}

std::string next_correlation_id() {
  static std::uint64_t contexts = 0;
  return fmt::format("ctx{}", ++contexts);
}

MachineShape scoped(const platform::Topology& topology, Device device) {
  const MachineShape machine = MachineShape::of(topology);
  return device.sip ? machine.only_sip(*device.sip) : machine;
}

}  // namespace

RuntimeContext::RuntimeContext(platform::Simulation& simulation, Device device,
                               std::string correlation_id)
    : simulation_(simulation),
      topology_(simulation.topology()),
      machine_(scoped(topology_, device)),
      requests_(simulation.system(),
                correlation_id.empty() ? next_correlation_id() : std::move(correlation_id)),
      memory_(topology_, machine_),
      tensors_(requests_, memory_, machine_, simulation.options().timing_only),
      launcher_(requests_, memory_, topology_, machine_) {}

RuntimeContext::~RuntimeContext() {
  // Freeing sends messages and waits: possible only from a host thread, and not while an
  // exception unwinds it (kernels launched before it may still use the tensors).
  if (in_thread() && std::uncaught_exceptions() == 0) close();
}

Tensor RuntimeContext::create(const std::vector<std::int64_t>& shape, DType dtype,
                              const DPPolicy& dp, const std::string& name, bool zero) {
  // The calling thread's device decides the SIP when the policy leaves it (the seed).
  const auto device = ahbm.current_device();
  return tensors_.create(shape, dtype, dp, name, zero,
                         device ? std::optional<std::int64_t>(*device) : std::nullopt);
}

std::vector<Handle> RuntimeContext::launch(const std::string& name, std::vector<LaunchArg> args,
                                           const Launch& how) {
  return launch(name, kernel_registry().get(name).fn, std::move(args), how);
}

std::vector<Handle> RuntimeContext::load_graph(std::uint64_t nodes) {
  // A node's descriptor: its kernel, arguments and dependencies, as a launch message's.
  constexpr std::uint64_t kDescriptorBytes = 128;
  std::vector<Handle> loads;
  for (std::int64_t s = machine_.first_sip; s < machine_.first_sip + machine_.sips; ++s) {
    loads.push_back(requests_.load_graph(static_cast<std::uint32_t>(s), nodes, kDescriptorBytes));
  }
  return loads;
}

}  // namespace kb::runtime

#pragma once
// The host runtime (docs/runtime.md; the seed's RuntimeContext), a facade with the seed's
// names over its parts: the request layer (runtime/requests/requests.h), device memory
// (runtime/memory/device_memory.h), the tensor store and the launcher beside this file, and
// IPCQ installation (runtime/ccl/ipcq_install.h). Every call that waits must run in a host
// SC_THREAD (spawn_host_program, spawn_ranks); simulated time passes while it waits.

#include "platform/simulation.h"
#include "runtime/ccl/ipcq_install.h"
#include "runtime/context/launcher.h"
#include "runtime/context/per_thread.h"
#include "runtime/context/tensor_store.h"

namespace kb::runtime {

// The device a context is bound to: every SIP, or one.
struct Device {
  std::optional<std::uint32_t> sip;
  static Device all() { return {}; }
  static Device only(std::uint32_t sip_index) { return {sip_index}; }
};

// Per calling thread device binding (torch.ahbm.set_device / torch.accelerator).
class AhbmNamespace {
 public:
  void set_device(std::uint32_t sip) { device_.set(sip); }
  std::optional<std::uint32_t> current_device() const { return device_.get(); }

 private:
  PerThread<std::uint32_t> device_;
};

class AcceleratorNamespace {
 public:
  explicit AcceleratorNamespace(AhbmNamespace& ahbm) : ahbm_(ahbm) {}
  void set_device_index(std::uint32_t sip) { ahbm_.set_device(sip); }
  std::optional<std::uint32_t> current_device_index() const { return ahbm_.current_device(); }

 private:
  AhbmNamespace& ahbm_;
};

class RuntimeContext {
 public:
  // Every message the context sends carries `correlation_id` (default: "ctx<n>", n
  // counting the contexts of the process from 1).
  RuntimeContext(platform::Simulation& simulation, Device device = Device::all(),
                 std::string correlation_id = "");
  // Frees every live tensor when destroyed in a host thread; outside one (the simulation
  // has ended) nothing can be sent, and the device memory goes with the model. Destroyed
  // by an exception, it frees nothing either: a kernel may still run on those tensors,
  // and the exception, not a fault of that kernel, must be what the run reports.
  ~RuntimeContext();
  RuntimeContext(const RuntimeContext&) = delete;
  RuntimeContext& operator=(const RuntimeContext&) = delete;

  AhbmNamespace ahbm;
  AcceleratorNamespace accelerator{ahbm};

  // Tensors (TensorStore). The placement is required, as in the seed; here the type
  // system enforces it (a DPPolicy names every level).
  Tensor zeros(const std::vector<std::int64_t>& shape, DType dtype, const DPPolicy& dp,
               const std::string& name = "") {
    return create(shape, dtype, dp, name, true);
  }
  Tensor empty(const std::vector<std::int64_t>& shape, DType dtype, const DPPolicy& dp,
               const std::string& name = "") {
    return create(shape, dtype, dp, name, false);
  }
  void copy_(const Tensor& target, const HostTensor& source) { tensors_.copy_(target, source); }
  HostTensor to_host(const Tensor& tensor) { return tensors_.to_host(tensor); }
  // Maps `tensor` into SIP `sip` as well, so that kernels there reach it remotely.
  void share(const Tensor& tensor, std::uint32_t sip) { tensors_.share(tensor, sip); }
  void free(Tensor& tensor) { tensors_.free(tensor); }
  // The seed's cleanup(): frees every live tensor; the context stays usable.
  void close() { tensors_.close(); }
  std::size_t live_tensors() const { return tensors_.live_tensors(); }

  // Requests (Requests).
  Handle submit(std::shared_ptr<models::ControlMessage> message,
                std::vector<models::CubeTarget> targets, TraceEntry meta) {
    return requests_.submit(std::move(message), std::move(targets), std::move(meta));
  }
  void wait(const Handle& handle) { requests_.wait(handle); }
  bool is_completed(const Handle& handle) const { return requests_.is_completed(handle); }
  bool is_finished(const Handle& handle) const { return requests_.is_finished(handle); }
  void wait_all() { requests_.wait_all(); }
  const std::vector<Handle>& handles() const { return requests_.handles(); }
  const std::vector<TraceEntry>& traces() const { return requests_.traces(); }

  // The seed's launch: `kernel` (or the registered kernel `name`) on the PEs `how` says,
  // waited for unless deferred. Returns every SIP's handle (the seed returned the last).
  std::vector<Handle> launch(const std::string& name, KernelFn kernel, std::vector<LaunchArg> args,
                             const Launch& how = {}) {
    return launcher_.launch(name, std::move(kernel), std::move(args), how);
  }
  std::vector<Handle> launch(const std::string& name, std::vector<LaunchArg> args,
                             const Launch& how = {});
  // Who issues this context's kernel launches from now on (the host by default); a device
  // mode needs the graph on the device first (load_graph).
  void set_launch_mode(LaunchMode mode) { launcher_.set_mode(mode); }
  LaunchMode launch_mode() const { return launcher_.mode(); }
  // Hands a graph of `nodes` nodes to the graph dispatcher of every SIP of the context;
  // returns the requests, to be waited for.
  std::vector<Handle> load_graph(std::uint64_t nodes);

  // The seed's install_ipcq over this context's PEs (runtime/ccl/ipcq_install.h).
  IpcqPlan install_ipcq(const std::string& algorithm = "", const std::string& ccl_yaml = "",
                        std::optional<std::uint32_t> world_size_override = std::nullopt,
                        const std::vector<PeCoord>* rank_to_pe = nullptr,
                        const std::vector<std::vector<std::uint32_t>>& subgroups = {}) {
    return runtime::install_ipcq(requests_, topology_, machine_, algorithm, ccl_yaml,
                                 world_size_override, rank_to_pe, subgroups);
  }
  ProcessGroups install_process_groups(const std::string& algorithm, const std::string& ccl_yaml,
                                       const std::vector<std::vector<PeCoord>>& groups) {
    return runtime::install_process_groups(requests_, topology_, machine_, algorithm, ccl_yaml,
                                           groups);
  }
  ProcessGroups install_process_groups(const CclAlgorithmConfig& chosen,
                                       const std::vector<std::vector<PeCoord>>& groups,
                                       const std::vector<std::vector<std::uint32_t>>& subgroups) {
    return runtime::install_process_groups(requests_, topology_, machine_, chosen, groups,
                                           subgroups);
  }

  // The rank of the calling host thread (set by spawn_ranks).
  void set_thread_rank(std::uint32_t rank) { thread_ranks_.set(rank); }
  std::optional<std::uint32_t> thread_rank() const { return thread_ranks_.get(); }

  const std::string& correlation_id() const { return requests_.correlation_id(); }
  const platform::Topology& topology() const { return topology_; }
  platform::Simulation& simulation() const { return simulation_; }
  const MachineShape& machine() const { return machine_; }
  DeviceMemory& memory() { return memory_; }

 private:
  Tensor create(const std::vector<std::int64_t>& shape, DType dtype, const DPPolicy& dp,
                const std::string& name, bool zero);

  platform::Simulation& simulation_;
  platform::Topology topology_;
  MachineShape machine_;
  Requests requests_;
  DeviceMemory memory_;
  TensorStore tensors_;
  Launcher launcher_;
  PerThread<std::uint32_t> thread_ranks_;
};

}  // namespace kb::runtime

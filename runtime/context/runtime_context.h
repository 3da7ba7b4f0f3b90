#pragma once
// The host runtime (docs/runtime.md; the seed's RuntimeContext): tensors, placement, MMU
// mapping, memory writes and reads, kernel launches, requests and traces, all as control
// messages through the simulated machine. Every call that waits must run in a host
// SC_THREAD (run_host_program); simulated time passes while it waits.

#include "models/host/host_interface.h"
#include "platform/simulation.h"
#include "runtime/ccl/install_plan.h"
#include "runtime/ccl/process_groups.h"
#include "runtime/context/per_thread.h"
#include "runtime/kernel/bound_kernel.h"
#include "runtime/memory/pe_memory_allocator.h"
#include "runtime/memory/virtual_allocator.h"
#include "runtime/tensor/host_tensor.h"

#include <map>
#include <optional>
#include <set>

namespace kb::runtime {

// The device a context is bound to: every SIP, or one.
struct Device {
  std::optional<std::uint32_t> sip;
  static Device all() { return {}; }
  static Device only(std::uint32_t sip_index) { return {sip_index}; }
};

// A trace entry per waited request (the seed's _traces), recorded on its first wait.
struct TraceEntry {
  std::string phase;  // mmu_map, mmu_unmap, memory_write, memory_read, kernel, ipcq_init
  std::string name;   // tensor or kernel name
  std::uint32_t sip = 0;
  std::optional<std::uint32_t> cube;  // a single target cube
  std::optional<std::uint32_t> pe;    // a single target PE
  std::uint64_t nbytes = 0;
  double submitted_ns = 0, started_ns = 0, finished_ns = 0;
  std::string correlation_id = {};  // the context's
  std::string request_id = {};      // the message's label ("mmu_x_s0", "gemm_sip1")
};

// Explicit PEs for a launch: `pes` of the `cubes` of each SIP (by SIP index).
struct PeScope {
  std::map<std::uint32_t, std::set<std::uint32_t>> cubes;
  std::vector<std::uint32_t> pes;

  // The cubes holding `pes` and their PE indices (a launch runs each index in each cube).
  static PeScope of(const std::vector<PeCoord>& pes);
};

// A submitted request.
struct Handle {
  std::shared_ptr<models::HostRequest> request;
  TraceEntry meta;
};

class RuntimeContext;

// Per calling thread device binding (torch.ahbm.set_device / torch.accelerator).
class AhbmNamespace {
 public:
  void set_device(std::uint32_t sip);
  std::optional<std::uint32_t> current_device() const;

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

  // Tensors. The placement is required, as in the seed; here the type system enforces it
  // (a DPPolicy names every level).
  Tensor zeros(const std::vector<std::int64_t>& shape, DType dtype, const DPPolicy& dp,
               const std::string& name = "");
  Tensor empty(const std::vector<std::int64_t>& shape, DType dtype, const DPPolicy& dp,
               const std::string& name = "");
  // Scatters `source` into `target`'s shards (every replica).
  void copy_(const Tensor& target, const HostTensor& source);
  // Gathers `tensor` (one replica of each block) into a host tensor.
  HostTensor to_host(const Tensor& tensor);
  // Maps `tensor` (one replica of each block) into every PE of SIP `sip` as well, so that
  // kernels there reach it remotely; freeing the tensor unmaps it there too. On a SIP that
  // holds some of it, the cubes holding none map it: kernels anywhere on the SIP reach it.
  // Sharing with a SIP that shares it already does nothing (the MMUs hold it once).
  void share(const Tensor& tensor, std::uint32_t sip);
  // Unmaps `tensor` (every SIP's MmuUnmap submitted before any is waited on), then
  // returns its VA and PA. Tensors live until freed, closed or the context is destroyed.
  void free(Tensor& tensor);
  // The seed's cleanup(): frees every live tensor; the context stays usable.
  void close();

  // Requests.
  Handle submit(std::shared_ptr<models::ControlMessage> message,
                std::vector<models::CubeTarget> targets, TraceEntry meta);
  // Waits until the request is done; its first wait records its trace.
  void wait(const Handle& handle);
  // As the seed: true once the context has waited on the handle.
  bool is_completed(const Handle& handle) const;
  // True once the request has finished in simulated time, waited on or not.
  bool is_finished(const Handle& handle) const;
  // Waits on every handle not waited on yet, in submission order.
  void wait_all();
  const std::vector<Handle>& handles() const { return handles_; }
  const std::vector<TraceEntry>& traces() const { return traces_; }

  // Kernels: one KernelLaunch per SIP holding shards, sent to the cubes holding them and
  // run by the PEs that own shards. Every launch returns the handle of each SIP it
  // launched on, in SIP order (the seed returned only the last one).
  //
  // launch_and_wait: every SIP is submitted before any is waited on (the seed's launch).
  std::vector<Handle> launch_and_wait(const std::string& name, KernelFn kernel,
                                      std::vector<LaunchArg> args);
  // A registered kernel by name (kernel_registry()).
  std::vector<Handle> launch_and_wait(const std::string& name, std::vector<LaunchArg> args);
  // launch_async: submitted, not waited for (the seed's launch(..., _defer_wait=True)).
  std::vector<Handle> launch_async(const std::string& name, KernelFn kernel,
                                   std::vector<LaunchArg> args);
  // A kernel on explicit PEs (no tensor decides), waited for or not.
  std::vector<Handle> launch_on_and_wait(const std::string& name, KernelFn kernel,
                                         std::vector<LaunchArg> args, const PeScope& scope);
  std::vector<Handle> launch_on_async(const std::string& name, KernelFn kernel,
                                      std::vector<LaunchArg> args, const PeScope& scope);

  // The seed's install_ipcq: loads `ccl_yaml` (default: the embedded configs/ccl.yaml),
  // merges its defaults into `algorithm` (default: its default algorithm), takes the world
  // size from the override, else the algorithm, else every PE in scope; places ranks by
  // `rank_to_pe` or the default order; sends an IpcqInit to every participating cube and
  // waits. Returns the plan (printable with to_string()).
  IpcqPlan install_ipcq(const std::string& algorithm = "", const std::string& ccl_yaml = "",
                        std::optional<std::uint32_t> world_size_override = std::nullopt,
                        const std::vector<PeCoord>* rank_to_pe = nullptr);
  // Disjoint communicators at once: a plan per group of PEs (its ranks in the order
  // given), one IpcqInit per participating cube holding every group's ranks there.
  ProcessGroups install_process_groups(const std::string& algorithm, const std::string& ccl_yaml,
                                       const std::vector<std::vector<PeCoord>>& groups);

  // The rank of the calling host thread (set by spawn_ranks).
  void set_thread_rank(std::uint32_t rank);
  std::optional<std::uint32_t> thread_rank() const;

  const std::string& correlation_id() const { return correlation_id_; }
  const platform::Topology& topology() const { return topology_; }
  platform::Simulation& simulation() const { return simulation_; }
  const MachineShape& machine() const { return machine_; }
  std::size_t live_tensors() const;
  PeMemoryAllocator& allocator(const PeCoord& pe);
  VirtualAllocator& virtual_allocator() { return va_; }

 private:
  Tensor create(const std::vector<std::int64_t>& shape, DType dtype, const DPPolicy& dp,
                const std::string& name, bool zero);
  void map(const Tensor& tensor);
  void write_shard(const DeviceShard& shard, const Tensor& tensor,
                   models::MemoryWrite::Pattern pattern,
                   std::shared_ptr<const std::vector<unsigned char>> data);
  std::vector<std::uint32_t> all_pes() const;
  // The first shard of each distinct storage (SRAM shards of a cube share theirs).
  static std::vector<const DeviceShard*> distinct_storage(const std::vector<DeviceShard>& shards);
  RangeAllocator& sram(std::uint32_t sip, std::uint32_t cube);
  // Returns the shards' storage to their allocators.
  void release(const std::vector<DeviceShard>& shards);
  std::vector<models::CubeTarget> every_cube(std::uint32_t sip) const;
  // The cubes of `sip` that share() maps a tensor into: those holding none of it.
  std::vector<models::CubeTarget> share_targets(const Tensor::State& state,
                                                std::uint32_t sip) const;
  // One KernelLaunch per SIP to its `cubes`, run by `pes`; not waited for.
  std::vector<Handle> submit_launches(
      const std::string& name, KernelFn kernel, std::vector<LaunchArg> args,
      const std::map<std::uint32_t, std::set<std::uint32_t>>& cubes_by_sip,
      std::vector<std::uint32_t> pes);
  CoreCosts core_costs() const;
  TcmScratch scratch_for(const models::PeLocation& pe);
  // Sends every plan's IpcqInit (one per cube) and waits for them.
  void send_ipcq_inits(const std::vector<IpcqPlan>& plans);

  platform::Simulation& simulation_;
  models::HostInterface& host_;
  platform::Topology topology_;
  MachineShape machine_;
  VirtualAllocator va_;
  std::map<std::uint64_t, std::unique_ptr<PeMemoryAllocator>> allocators_;  // by global PE
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::unique_ptr<RangeAllocator>> sram_;
  std::vector<std::shared_ptr<Tensor::State>> tensors_;
  std::string correlation_id_;
  std::vector<Handle> handles_;
  std::set<const models::HostRequest*> waited_;
  std::vector<TraceEntry> traces_;
  PerThread<std::uint32_t> thread_ranks_;
  std::uint64_t tensor_counter_ = 0;
};

}  // namespace kb::runtime

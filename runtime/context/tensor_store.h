#pragma once
// Tensors on the device (the seed's zeros / empty / copy_ / cleanup, reading back, and
// sharing with another SIP): storage from DeviceMemory, then MMU mappings and memory
// writes and reads as requests through the machine. Calls that wait run in a host thread.

#include "runtime/memory/device_memory.h"
#include "runtime/requests/requests.h"
#include "runtime/tensor/host_tensor.h"

namespace kb::runtime {

class TensorStore {
 public:
  TensorStore(Requests& requests, DeviceMemory& memory, const MachineShape& machine,
              bool timing_only);

  // Allocates and maps a tensor placed by `dp` (on SIP `device` when the policy leaves the
  // SIP level to it), zero-filled when `zero`.
  Tensor create(const std::vector<std::int64_t>& shape, DType dtype, const DPPolicy& dp,
                const std::string& name, bool zero, std::optional<std::int64_t> device);
  // Scatters `source` into `target`'s shards (every replica).
  void copy_(const Tensor& target, const HostTensor& source);
  // Gathers `tensor` (one replica of each block) into a host tensor.
  HostTensor to_host(const Tensor& tensor);
  // Maps `tensor` (one replica of each block) into the cubes of SIP `sip` holding none of
  // it; sharing with a SIP that shares it already does nothing.
  void share(const Tensor& tensor, std::uint32_t sip);
  // Unmaps `tensor` everywhere (every SIP's MmuUnmap submitted before any is waited on),
  // then returns its storage.
  void free(Tensor& tensor);
  // Frees every live tensor.
  void close();
  std::size_t live_tensors() const;

 private:
  void map(const Tensor& tensor);
  void write_shard(const DeviceShard& shard, const Tensor& tensor,
                   models::MemoryWrite::Pattern pattern,
                   std::shared_ptr<const std::vector<unsigned char>> data);
  std::vector<std::uint32_t> all_pes() const;
  // The cubes of `sip` that share() maps a tensor into: those holding none of it.
  std::vector<models::CubeTarget> share_targets(const Tensor::State& state,
                                                std::uint32_t sip) const;

  Requests& requests_;
  DeviceMemory& memory_;
  MachineShape machine_;
  bool timing_only_;
  std::vector<std::shared_ptr<Tensor::State>> tensors_;
  std::uint64_t tensor_counter_ = 0;
};

}  // namespace kb::runtime

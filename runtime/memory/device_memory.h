#pragma once
// The device memory a context hands out: its virtual address space, each PE's HBM and TCM
// allocators and each cube's SRAM. Storage for a tensor's shards comes from here, and goes
// back here when it is freed. No SystemC: unit-tested on its own.

#include "runtime/memory/pe_memory_allocator.h"
#include "runtime/memory/virtual_allocator.h"
#include "runtime/tensor/tensor.h"

#include <map>
#include <memory>

namespace kb::runtime {

class DeviceMemory {
 public:
  DeviceMemory(const platform::Topology& topology, const MachineShape& machine);

  // The allocators, made on first use.
  PeMemoryAllocator& pe(const PeCoord& pe);
  RangeAllocator& sram(std::uint32_t sip, std::uint32_t cube);
  VirtualAllocator& virtual_space() { return va_; }

  // A virtual range and storage for every shard of `placement`, in HBM or in SRAM (where
  // a cube's PEs share one copy of each block). Throws, having taken nothing, when any
  // part does not fit.
  struct Allocation {
    std::uint64_t va_base = 0;
    std::vector<DeviceShard> shards;
  };
  Allocation allocate(const Placement& placement, MemoryKind memory);
  // A tensor `dp` places (on SIP `device` when the policy leaves the SIP level to it), with
  // storage for every shard; not yet mapped into any MMU. Throws std::invalid_argument for
  // an SRAM tensor split over PEs (a cube's SRAM holds one copy for all of them).
  std::shared_ptr<Tensor::State> place(const std::string& name,
                                       const std::vector<std::int64_t>& shape, DType dtype,
                                       const DPPolicy& dp, std::optional<std::int64_t> device);
  // Returns an allocation's storage and virtual range.
  void release(std::uint64_t va_base, std::uint64_t nbytes, const std::vector<DeviceShard>& shards);

  // The first shard of each distinct storage (SRAM shards of a cube share theirs).
  static std::vector<const DeviceShard*> distinct_storage(const std::vector<DeviceShard>& shards);

 private:
  const platform::Topology& topology_;
  MachineShape machine_;
  VirtualAllocator va_;
  std::map<std::uint64_t, std::unique_ptr<PeMemoryAllocator>> pes_;  // by global PE
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::unique_ptr<RangeAllocator>> sram_;
};

}  // namespace kb::runtime

#pragma once
// The virtual address space of one runtime context, from 0x1_0000_0000, handed out in
// whole pages (docs/addressing.md). It follows the machine: as large as all of its device
// memory (HBM, SRAM and TCM of every SIP), and never below 64 GiB, so that any placement the
// memory can hold has addresses.

#include "platform/topology/topology.h"
#include "runtime/memory/range_allocator.h"

namespace kb::runtime {

class VirtualAllocator : public RangeAllocator {
 public:
  static constexpr std::uint64_t kBase = 0x1'0000'0000ULL;
  static constexpr std::uint64_t kMinSize = 64ULL << 30;

  // The size of a context's address space on `topology`.
  static std::uint64_t size_for(const platform::Topology& topology);

  VirtualAllocator(std::uint64_t size, std::uint64_t page_size)
      : RangeAllocator("virtual address space", kBase, size, page_size) {}
};

}  // namespace kb::runtime

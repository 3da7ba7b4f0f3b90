#pragma once
// The virtual address space of one runtime context: 64 GiB from 0x1_0000_0000,
// handed out in whole pages (docs/addressing.md).

#include "runtime/memory/range_allocator.h"

namespace kb::runtime {

class VirtualAllocator : public RangeAllocator {
 public:
  static constexpr std::uint64_t kBase = 0x1'0000'0000ULL;
  static constexpr std::uint64_t kSize = 64ULL << 30;

  explicit VirtualAllocator(std::uint64_t page_size)
      : RangeAllocator("virtual address space", kBase, kSize, page_size) {}
};

}  // namespace kb::runtime

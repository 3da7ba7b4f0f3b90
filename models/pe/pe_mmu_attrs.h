#pragma once
// Without SystemC: the topology embeds it, and its loader builds without the kernel.

#include <cstdint>

namespace kb::models {

// The topology keys of every PE's MMU (cube.pe_template.components.pe_mmu.attrs).
struct PeMmuAttrs {
  std::int64_t page_size = 4096;
  std::int64_t tlb_entries = 64;
  std::int64_t tlb_hit_cycles = 1;
  std::int64_t walk_cycles = 100;
};

}  // namespace kb::models

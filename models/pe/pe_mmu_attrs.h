#pragma once
// Without SystemC: the topology embeds it, and its loader builds without the kernel.

#include "models/common/attr_schema.h"

#include <cstdint>

namespace kb::models {

// The topology keys of every PE's MMU (cube.pe_template.components.pe_mmu.attrs).
struct PeMmuAttrs {
  std::int64_t page_size = 4096;
  std::int64_t tlb_entries = 64;
  std::int64_t tlb_hit_cycles = 1;
  std::int64_t walk_cycles = 100;

  static std::vector<AttrRow<PeMmuAttrs>> schema() {
    using A = PeMmuAttrs;
    return {
        {"page_size", "bytes", kPageSize,
         "MMU page size, a power of two; the virtual allocator's granule", &A::page_size},
        {"tlb_entries", "entries", kTlbEntries, "TLB capacity (least recently used replacement)",
         &A::tlb_entries},
        {"tlb_hit_cycles", "cycles", kCycles, "translation cost on a TLB hit", &A::tlb_hit_cycles},
        {"walk_cycles", "cycles", kCycles, "page-table walk cost on a TLB miss", &A::walk_cycles}};
  }
};

}  // namespace kb::models

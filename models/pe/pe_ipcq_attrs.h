#pragma once
// Without SystemC: the topology embeds it, and its loader builds without the kernel.

#include "models/common/attr_schema.h"

#include <cstdint>

namespace kb::models {

// The topology keys of every PE's IPCQ (cube.pe_template.components.pe_ipcq.attrs).
struct PeIpcqAttrs {
  std::int64_t depth = 8;
  std::int64_t entry_bytes = 4096;
  double pj_per_entry = 2.0;

  static std::vector<AttrRow<PeIpcqAttrs>> schema() {
    using A = PeIpcqAttrs;
    return {
        {"depth", "entries", kQueueDepth,
         "entries of each per-neighbour receive queue; a full queue stalls the sender", &A::depth},
        {"entry_bytes", "bytes", kEntryBytes, "payload bytes of one queue entry", &A::entry_bytes},
        {"pj_per_entry", "pJ", kPicojoules,
         "control energy of one queue entry sent (its push, pop and credit), besides its bytes",
         &A::pj_per_entry, AttrEffect::energy}};
  }
};

}  // namespace kb::models

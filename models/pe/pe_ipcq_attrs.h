#pragma once
// Without SystemC: the topology embeds it, and its loader builds without the kernel.

#include <cstdint>

namespace kb::models {

// The topology keys of every PE's IPCQ (cube.pe_template.components.pe_ipcq.attrs).
struct PeIpcqAttrs {
  std::int64_t depth = 8;
  std::int64_t entry_bytes = 4096;
};

}  // namespace kb::models

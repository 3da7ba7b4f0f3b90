#include "models/memory/sparse_memory.h"

#include <algorithm>
#include <cstring>

namespace kb::models {

// Calls fn(page index, offset in page, bytes, position in the request) per page touched.
template <class Fn>
void SparseMemory::for_each_chunk(std::uint64_t offset, std::uint64_t nbytes, Fn&& fn) const {
  std::uint64_t done = 0;
  while (done < nbytes) {
    const std::uint64_t at = offset + done;
    const std::uint64_t in_page = at % kPageBytes;
    const std::uint64_t chunk = std::min(kPageBytes - in_page, nbytes - done);
    fn(at / kPageBytes, in_page, chunk, done);
    done += chunk;
  }
}

void SparseMemory::read(std::uint64_t offset, unsigned char* dst, std::uint64_t nbytes) const {
  for_each_chunk(
      offset, nbytes,
      [&](std::uint64_t page, std::uint64_t in_page, std::uint64_t chunk, std::uint64_t at) {
        const auto it = pages_.find(page);
        if (it == pages_.end()) {
          std::memset(dst + at, 0, chunk);
        } else {
          std::memcpy(dst + at, it->second.get() + in_page, chunk);
        }
      });
}

void SparseMemory::write(std::uint64_t offset, const unsigned char* src, std::uint64_t nbytes) {
  for_each_chunk(
      offset, nbytes,
      [&](std::uint64_t page, std::uint64_t in_page, std::uint64_t chunk, std::uint64_t at) {
        auto it = pages_.find(page);
        if (it == pages_.end()) {
          const bool all_zero =
              std::all_of(src + at, src + at + chunk, [](unsigned char b) { return b == 0; });
          if (all_zero) return;  // an absent page already reads as zeros
          it = pages_.emplace(page, std::make_unique<unsigned char[]>(kPageBytes)).first;
        }
        std::memcpy(it->second.get() + in_page, src + at, chunk);
      });
}

void SparseMemory::fill_zero(std::uint64_t offset, std::uint64_t nbytes) {
  for_each_chunk(
      offset, nbytes,
      [&](std::uint64_t page, std::uint64_t in_page, std::uint64_t chunk, std::uint64_t) {
        const auto it = pages_.find(page);
        if (it == pages_.end()) return;
        if (chunk == kPageBytes) {
          pages_.erase(it);
        } else {
          std::memset(it->second.get() + in_page, 0, chunk);
        }
      });
}

}  // namespace kb::models

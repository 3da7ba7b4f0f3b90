#include "runtime/memory/range_allocator.h"

#include <fmt/format.h>

namespace kb::runtime {

RangeAllocator::RangeAllocator(std::string name, std::uint64_t base, std::uint64_t size,
                               std::uint64_t alignment)
    : name_(std::move(name)), base_(base), size_(size), alignment_(alignment), free_bytes_(size) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0 || base % alignment != 0 ||
      size % alignment != 0 || size == 0) {
    throw std::invalid_argument(fmt::format(
        "{}: range 0x{:x} + {} bytes is not a non-empty multiple of the {}-byte alignment", name_,
        base, size, alignment));
  }
  free_.emplace(base, size);
}

std::uint64_t RangeAllocator::rounded(std::uint64_t nbytes) const {
  return (nbytes + alignment_ - 1) / alignment_ * alignment_;
}

std::uint64_t RangeAllocator::largest_free_block() const {
  std::uint64_t largest = 0;
  for (const auto& [start, length] : free_) largest = std::max(largest, length);
  return largest;
}

std::uint64_t RangeAllocator::allocate(std::uint64_t nbytes) {
  if (nbytes == 0) throw AllocationError(fmt::format("{}: cannot allocate 0 bytes", name_));
  if (nbytes > size_) {
    throw AllocationError(
        fmt::format("{}: out of memory: {} bytes requested, the whole range "
                    "is {} bytes",
                    name_, nbytes, size_));
  }
  const std::uint64_t need = rounded(nbytes);
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    const auto [start, length] = *it;
    if (length < need) continue;
    free_.erase(it);
    if (length > need) free_.emplace(start + need, length - need);
    live_.emplace(start, need);
    free_bytes_ -= need;
    return start;
  }
  throw AllocationError(fmt::format(
      "{}: out of memory: {} bytes requested ({} with alignment), {} bytes free in total, "
      "largest free block {} bytes",
      name_, nbytes, need, free_bytes_, largest_free_block()));
}

void RangeAllocator::free(std::uint64_t address, std::uint64_t nbytes) {
  const auto live = live_.find(address);
  if (live == live_.end()) {
    throw AllocationError(
        fmt::format("{}: free of 0x{:x} ({} bytes): no live allocation starts there (double free?)",
                    name_, address, nbytes));
  }
  if (rounded(nbytes) != live->second) {
    throw AllocationError(
        fmt::format("{}: free of 0x{:x} with {} bytes, but {} bytes were "
                    "allocated there",
                    name_, address, nbytes, live->second));
  }
  std::uint64_t start = address;
  std::uint64_t length = live->second;
  live_.erase(live);
  free_bytes_ += length;
  auto next = free_.lower_bound(start);
  if (next != free_.end() && start + length == next->first) {
    length += next->second;
    next = free_.erase(next);
  }
  if (next != free_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == start) {
      start = prev->first;
      length += prev->second;
      free_.erase(prev);
    }
  }
  free_.emplace(start, length);
}

}  // namespace kb::runtime

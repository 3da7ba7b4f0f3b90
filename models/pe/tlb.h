#pragma once
// A fully associative TLB with least-recently-used replacement, keyed by virtual page
// number: O(1) per lookup (an intrusive LRU list over fixed slots).

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace kb::models {

class Tlb {
 public:
  explicit Tlb(std::size_t entries);

  // True on a hit; a miss brings the page in, evicting the least recently used one.
  bool lookup(std::uint64_t page);
  // Drops the pages first..last (inclusive).
  void invalidate(std::uint64_t first, std::uint64_t last);

 private:
  static constexpr std::uint32_t kNone = ~0U;
  void unlink(std::uint32_t slot);
  void push_front(std::uint32_t slot);

  std::vector<std::uint64_t> page_;
  std::vector<std::uint32_t> prev_, next_;
  std::vector<std::uint32_t> free_;
  std::uint32_t head_ = kNone, tail_ = kNone;  // most and least recently used
  std::unordered_map<std::uint64_t, std::uint32_t> slot_of_;
};

}  // namespace kb::models

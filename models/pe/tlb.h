#pragma once
// A fully associative TLB with least-recently-used replacement, keyed by virtual page
// number: O(1) per lookup (an intrusive LRU list over fixed slots, found through an
// open-addressing index of twice as many cells: no allocation after construction, as every
// access of every PE looks its pages up here).

#include <cstdint>
#include <vector>

namespace kb::models {

class Tlb {
 public:
  explicit Tlb(std::size_t entries);

  // True on a hit; a miss brings the page in, evicting the least recently used one.
  bool lookup(std::uint64_t page);
  // Looks up the `count` pages from `first` in order, as as many lookup() calls would, and
  // returns their hits, in time bounded by the TLB's size rather than the run's: once a run
  // has looked up `entries` pages the TLB holds exactly its last `entries` (distinct) pages,
  // so every later page misses, and the last `entries` pages leave the TLB as a whole run
  // would. A flow transfer of a whole buffer is one such run. A run at least the TLB's size
  // over pages none of which is held (a stream) takes constant time.
  std::uint64_t lookup_run(std::uint64_t first, std::uint64_t count);
  // Drops the pages first..last (inclusive).
  void invalidate(std::uint64_t first, std::uint64_t last);

 private:
  static constexpr std::uint32_t kNone = ~0U;
  static constexpr std::uint64_t kNoPage = ~0ULL;  // an empty cell (no page is this high)
  void unlink(std::uint32_t slot);
  void push_front(std::uint32_t slot);
  // The index: the cell a page's probe starts from; the cell holding `page`, or the empty
  // cell where it would go.
  std::size_t home_of(std::uint64_t page) const;
  std::size_t cell_of(std::uint64_t page) const;
  void index_erase(std::size_t cell);
  // Whether any of the `count` pages from `first` is held.
  bool holds_any(std::uint64_t first, std::uint64_t count) const;
  // Holds exactly the `entries` pages from `first`, looked up in order (the last most recent).
  void hold_only(std::uint64_t first);
  // Writes the run held_run_ stands for into the slots and the index.
  void write_out_held_run();

  std::vector<std::uint64_t> page_;
  std::vector<std::uint32_t> prev_, next_;
  std::vector<std::uint32_t> free_;
  std::uint32_t head_ = kNone, tail_ = kNone;  // most and least recently used
  std::vector<std::uint64_t> cell_page_;       // the index, linear probing
  std::vector<std::uint32_t> cell_slot_;
  std::size_t mask_ = 0;
  // Not kNoPage: what is held is exactly the `entries` pages from here, the last most
  // recent, not yet written out (a stream of runs, each over new pages, writes none).
  std::uint64_t held_run_ = kNoPage;
};

}  // namespace kb::models

#pragma once
// A fully associative TLB with least-recently-used replacement, keyed by virtual page
// number, held as runs of consecutive pages in the order they were last looked up.
//
// Accesses walk buffers page after page: a stream's pages, looked up in ascending order,
// stand in the LRU order as one run (its first page the least recent), so a lookup of many
// pages, or of a page in a stream's run, costs a walk over the few runs held rather than
// work per page. Runs are at least a page each, so there are never more runs than entries
// (two more for a moment), and the list's memory follows the runs held, not `tlb_entries`.

#include <cstdint>
#include <vector>

namespace kb::models {

class Tlb {
 public:
  explicit Tlb(std::size_t entries);

  // True on a hit; a miss brings the page in, evicting the least recently used one.
  bool lookup(std::uint64_t page) { return lookup_run(page, 1) == 1; }
  // Looks up the `count` pages from `first` in order, as as many lookup() calls would, and
  // returns their hits.
  std::uint64_t lookup_run(std::uint64_t first, std::uint64_t count);
  // Drops the pages first..last (inclusive).
  void invalidate(std::uint64_t first, std::uint64_t last);

 private:
  // Pages first .. first + count - 1, looked up in ascending order (the last most recent).
  struct Run {
    std::uint64_t first;
    std::uint64_t count;
    bool holds(std::uint64_t page) const { return page - first < count; }
  };
  // The run holding `page`, or runs_.size().
  std::size_t holding(std::uint64_t page) const;
  // The lowest held page in [from, to), or `to` (none of them is: `from` is not held).
  std::uint64_t next_held(std::uint64_t from, std::uint64_t to) const;
  // Takes the `count` pages from `first` out of run `at`, which holds them all.
  void take(std::size_t at, std::uint64_t first, std::uint64_t count);
  // Makes the `count` pages from `first`, none of them held, the most recent, evicting the
  // least recent pages beyond the TLB's size.
  void bring_in(std::uint64_t first, std::uint64_t count);

  std::uint64_t entries_;
  std::uint64_t held_ = 0;
  std::vector<Run> runs_;  // least recent first
};

}  // namespace kb::models

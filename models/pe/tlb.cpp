#include "models/pe/tlb.h"

#include <algorithm>

namespace kb::models {

Tlb::Tlb(std::size_t entries) : entries_(entries) {}

std::size_t Tlb::holding(std::uint64_t page) const {
  // From the most recent run: a page looked up again is most likely one just used.
  for (std::size_t i = runs_.size(); i > 0; --i) {
    if (runs_[i - 1].holds(page)) return i - 1;
  }
  return runs_.size();
}

std::uint64_t Tlb::next_held(std::uint64_t from, std::uint64_t to) const {
  // `from` is not held, so a run reaching into [from, to) starts inside it.
  std::uint64_t next = to;
  if (to - from > 1) {
    for (const Run& r : runs_) {
      if (r.first > from && r.first < next) next = r.first;
    }
  }
  return next;
}

void Tlb::take(std::size_t at, std::uint64_t first, std::uint64_t count) {
  const Run run = runs_[at];
  const Run before{run.first, first - run.first};
  const Run after{first + count, run.first + run.count - first - count};
  held_ -= count;
  const auto it = runs_.begin() + static_cast<std::ptrdiff_t>(at);
  // Within a run the lower pages are the less recent: `before` stays ahead of `after`.
  if (before.count > 0 && after.count > 0) {
    *it = before;
    runs_.insert(it + 1, after);
  } else if (before.count > 0) {
    *it = before;
  } else if (after.count > 0) {
    *it = after;
  } else {
    runs_.erase(it);
  }
}

void Tlb::bring_in(std::uint64_t first, std::uint64_t count) {
  if (!runs_.empty() && runs_.back().first + runs_.back().count == first) {
    runs_.back().count += count;  // the stream the most recent run ends goes on
  } else {
    runs_.push_back({first, count});
  }
  held_ += count;
  std::size_t emptied = 0;
  while (held_ > entries_) {
    Run& lru = runs_[emptied];
    const std::uint64_t drop = std::min(lru.count, held_ - entries_);
    lru.first += drop;
    lru.count -= drop;
    held_ -= drop;
    if (lru.count == 0) ++emptied;
  }
  runs_.erase(runs_.begin(), runs_.begin() + static_cast<std::ptrdiff_t>(emptied));
}

std::uint64_t Tlb::lookup_run(std::uint64_t first, std::uint64_t count) {
  std::uint64_t hits = 0;
  const std::uint64_t end = first + count;
  for (std::uint64_t page = first; page < end;) {
    const std::size_t at = holding(page);
    if (at < runs_.size()) {
      // Hits never evict: every page of this run from here to the end is still held.
      const Run& run = runs_[at];
      const std::uint64_t n = std::min(end, run.first + run.count) - page;
      take(at, page, n);
      bring_in(page, n);
      hits += n;
      page += n;
    } else {
      // Misses up to the next held page; bringing them in may evict that one, which the
      // next turn then finds missing.
      const std::uint64_t next = next_held(page, end);
      bring_in(page, next - page);
      page = next;
    }
  }
  return hits;
}

void Tlb::invalidate(std::uint64_t first, std::uint64_t last) {
  // From the most recent run down: a split or an erase moves only runs already visited.
  for (std::size_t i = runs_.size(); i > 0; --i) {
    const Run run = runs_[i - 1];
    const std::uint64_t end = run.first + run.count;
    const std::uint64_t from = std::max(first, run.first);
    const std::uint64_t to = last >= end - 1 ? end : last + 1;
    if (from < to) take(i - 1, from, to - from);
  }
}

}  // namespace kb::models

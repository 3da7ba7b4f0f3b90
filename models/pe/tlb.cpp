#include "models/pe/tlb.h"

#include <algorithm>

namespace kb::models {

namespace {

std::size_t index_cells(std::size_t entries) {
  std::size_t cells = 2;
  while (cells < 2 * entries) cells *= 2;
  return cells;
}

}  // namespace

Tlb::Tlb(std::size_t entries)
    : page_(entries),
      prev_(entries, kNone),
      next_(entries, kNone),
      cell_page_(index_cells(entries), kNoPage),
      cell_slot_(cell_page_.size(), kNone),
      mask_(cell_page_.size() - 1) {
  for (std::size_t s = entries; s > 0; --s) free_.push_back(static_cast<std::uint32_t>(s - 1));
}

void Tlb::unlink(std::uint32_t s) {
  (prev_[s] == kNone ? head_ : next_[prev_[s]]) = next_[s];
  (next_[s] == kNone ? tail_ : prev_[next_[s]]) = prev_[s];
  prev_[s] = next_[s] = kNone;
}

void Tlb::push_front(std::uint32_t s) {
  next_[s] = head_;
  prev_[s] = kNone;
  (head_ == kNone ? tail_ : prev_[head_]) = s;
  head_ = s;
}

std::size_t Tlb::home_of(std::uint64_t page) const {
  // Fibonacci hashing: consecutive pages (a stream) land in scattered cells.
  return static_cast<std::size_t>(page * 0x9E3779B97F4A7C15ULL >> 32) & mask_;
}

std::size_t Tlb::cell_of(std::uint64_t page) const {
  std::size_t c = home_of(page);
  while (cell_page_[c] != kNoPage && cell_page_[c] != page) c = (c + 1) & mask_;
  return c;
}

void Tlb::index_erase(std::size_t hole) {
  // Backward shift: move up every later entry of the run that may not sit after the hole.
  for (std::size_t c = (hole + 1) & mask_; cell_page_[c] != kNoPage; c = (c + 1) & mask_) {
    const std::size_t home = home_of(cell_page_[c]);
    // The entry stays when its home lies cyclically in (hole, c].
    const bool stays = hole < c ? (home > hole && home <= c) : (home > hole || home <= c);
    if (stays) continue;
    cell_page_[hole] = cell_page_[c];
    cell_slot_[hole] = cell_slot_[c];
    hole = c;
  }
  cell_page_[hole] = kNoPage;
  cell_slot_[hole] = kNone;
}

bool Tlb::lookup(std::uint64_t page) {
  write_out_held_run();
  const std::size_t c = cell_of(page);
  if (cell_page_[c] == page) {
    const std::uint32_t s = cell_slot_[c];
    if (s != head_) {
      unlink(s);
      push_front(s);
    }
    return true;
  }
  std::uint32_t s;
  if (!free_.empty()) {
    s = free_.back();
    free_.pop_back();
  } else {
    s = tail_;
    unlink(s);
    index_erase(cell_of(page_[s]));
  }
  page_[s] = page;
  const std::size_t free_cell = cell_of(page);  // the erase may have moved cells
  cell_page_[free_cell] = page;
  cell_slot_[free_cell] = s;
  push_front(s);
  return false;
}

std::uint64_t Tlb::lookup_run(std::uint64_t first, std::uint64_t count) {
  const std::uint64_t entries = page_.size();
  if (count >= entries && !holds_any(first, count)) {
    // A stream over pages none of which is held (the usual case): every page misses, and
    // what is held is the run's last `entries`, written out only when looked into.
    held_run_ = first + count - entries;
    return 0;
  }
  write_out_held_run();
  std::uint64_t hits = 0;
  if (count <= 2 * entries) {
    for (std::uint64_t i = 0; i < count; ++i) hits += lookup(first + i) ? 1 : 0;
    return hits;
  }
  for (std::uint64_t i = 0; i < entries; ++i) hits += lookup(first + i) ? 1 : 0;
  // Pages entries .. count - 1 all miss, and the last `entries` of them are what is held.
  hold_only(count - entries + first);
  return hits;
}

bool Tlb::holds_any(std::uint64_t first, std::uint64_t count) const {
  if (held_run_ != kNoPage) {
    return held_run_ < first + count && first < held_run_ + page_.size();
  }
  for (std::uint32_t s = head_; s != kNone; s = next_[s]) {
    if (page_[s] >= first && page_[s] - first < count) return true;
  }
  return false;
}

void Tlb::write_out_held_run() {
  if (held_run_ == kNoPage) return;
  hold_only(held_run_);
  held_run_ = kNoPage;
}

void Tlb::hold_only(std::uint64_t first) {
  std::fill(cell_page_.begin(), cell_page_.end(), kNoPage);
  std::fill(cell_slot_.begin(), cell_slot_.end(), kNone);
  free_.clear();
  head_ = tail_ = kNone;
  for (std::uint32_t s = 0; s < page_.size(); ++s) {
    page_[s] = first + s;
    const std::size_t c = cell_of(page_[s]);
    cell_page_[c] = page_[s];
    cell_slot_[c] = s;
    push_front(s);  // the last page looked up is the most recent
  }
}

void Tlb::invalidate(std::uint64_t first, std::uint64_t last) {
  write_out_held_run();
  // Walk the cached pages (at most `entries`), not the index's cells.
  for (std::uint32_t s = head_; s != kNone;) {
    const std::uint32_t next = next_[s];
    if (page_[s] >= first && page_[s] <= last) {
      index_erase(cell_of(page_[s]));
      unlink(s);
      free_.push_back(s);
    }
    s = next;
  }
}

}  // namespace kb::models

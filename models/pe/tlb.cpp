#include "models/pe/tlb.h"

#include <stdexcept>

namespace kb::models {

Tlb::Tlb(std::size_t entries) : page_(entries), prev_(entries, kNone), next_(entries, kNone) {
  for (std::size_t s = entries; s > 0; --s) free_.push_back(static_cast<std::uint32_t>(s - 1));
  slot_of_.reserve(entries * 2);
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

bool Tlb::lookup(std::uint64_t page) {
  const auto it = slot_of_.find(page);
  if (it != slot_of_.end()) {
    if (it->second != head_) {
      unlink(it->second);
      push_front(it->second);
    }
    return true;
  }
  if (!free_.empty()) {
    const std::uint32_t s = free_.back();
    free_.pop_back();
    page_[s] = page;
    slot_of_.emplace(page, s);
    push_front(s);
    return false;
  }
  // The least recently used entry's slot and hash node take the new page: a full TLB
  // misses without allocating (a stream touches each page once).
  const std::uint32_t s = tail_;
  unlink(s);
  auto node = slot_of_.extract(page_[s]);
  if (node.empty()) throw std::logic_error("TLB: a cached page is missing from its table");
  node.key() = page;
  slot_of_.insert(std::move(node));
  page_[s] = page;
  push_front(s);
  return false;
}

void Tlb::invalidate(std::uint64_t first, std::uint64_t last) {
  // Walk the cached pages (at most `entries`), not the hash table's buckets.
  for (std::uint32_t s = head_; s != kNone;) {
    const std::uint32_t next = next_[s];
    if (page_[s] >= first && page_[s] <= last) {
      slot_of_.erase(page_[s]);
      unlink(s);
      free_.push_back(s);
    }
    s = next;
  }
}

}  // namespace kb::models

#include "models/pe/credit_queue.h"

namespace kb::models {

void CreditQueue::reset(std::uint64_t capacity) {
  runs_.clear();
  runs_.set_capacity(capacity);
  size_ = 0;
}

void CreditQueue::push(const CreditWord& word, Picoseconds arrival) {
  if (word.count == 0) return;
  runs_.push_back(Run{word, arrival, 0});
  size_ += word.count;
}

Picoseconds CreditQueue::operator[](std::uint64_t i) const {
  for (const Run& r : runs_) {
    const std::uint64_t left = r.word.count - r.taken;
    if (i < left) return r.word.at(r.arrival, r.taken + i);
    i -= left;
  }
  return 0;  // not reached: i < size()
}

void CreditQueue::pop_front(std::uint64_t n) {
  size_ -= n;
  while (n != 0) {
    Run& r = runs_.front();
    const std::uint64_t left = r.word.count - r.taken;
    if (n < left) {
      r.taken += n;
      return;
    }
    n -= left;
    runs_.pop_front();
  }
}

}  // namespace kb::models

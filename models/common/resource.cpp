#include "models/common/resource.h"

#include <algorithm>

namespace kb::models {

void Resource::remove_observer(ResourceObserver* observer) {
  observers_.erase(std::remove(observers_.begin(), observers_.end(), observer), observers_.end());
}

Picoseconds Resource::reserve_for(Picoseconds arrival, Picoseconds occupancy, std::uint64_t bytes) {
  ++stats_.transactions;
  stats_.bytes += bytes;
  if (occupancy == 0) return arrival;
  // Forget busy periods that ended before now (no request can arrive before now): skipped
  // past, and dropped in one go once they are half of what is kept.
  const Picoseconds now = now_ps();
  while (head_ < busy_.size() && busy_[head_].end <= now) ++head_;
  if (head_ > 16 && head_ * 2 > busy_.size()) {
    busy_.erase(busy_.begin(), busy_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  // First fit from the arrival: start at the first gap long enough. Busy periods are
  // sorted, disjoint and never touch (touching ones are merged), so the walk from the
  // first period ending after the arrival visits one per gap.
  Picoseconds start = arrival;
  auto it = std::partition_point(busy_.begin() + static_cast<std::ptrdiff_t>(head_), busy_.end(),
                                 [start](const Interval& i) { return i.end <= start; });
  for (; it != busy_.end(); ++it) {
    if (it->begin >= start + occupancy) break;  // we fit in the gap before it
    start = std::max(start, it->end);           // overlap: try after it
  }
  // Book [start, end), merged with the periods it touches.
  const Picoseconds end = start + occupancy;
  const bool joins_next = it != busy_.end() && it->begin == end;
  const bool joins_previous =
      it != busy_.begin() + static_cast<std::ptrdiff_t>(head_) && std::prev(it)->end == start;
  if (joins_previous && joins_next) {
    std::prev(it)->end = it->end;
    busy_.erase(it);
  } else if (joins_previous) {
    std::prev(it)->end = end;
  } else if (joins_next) {
    it->begin = start;
  } else {
    busy_.insert(it, Interval{start, end});
  }
  stats_.busy_ps += occupancy;
  stats_.queued_ps += start - arrival;
  stats_.max_pending = std::max<std::uint64_t>(stats_.max_pending, busy_.size() - head_);
  for (ResourceObserver* o : observers_) o->on_booking(start, end);
  return start;
}

}  // namespace kb::models

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
  // Forget busy periods that ended before now: no request can arrive before now.
  const Picoseconds now = now_ps();
  while (!busy_.empty() && busy_.begin()->second <= now) busy_.erase(busy_.begin());

  // First fit from the arrival: start at the first gap long enough. Busy periods are
  // disjoint and never touch (touching ones are merged), so the walk visits one per gap.
  Picoseconds start = arrival;
  auto it = busy_.upper_bound(start);
  if (it != busy_.begin() && std::prev(it)->second > start) --it;
  for (; it != busy_.end(); ++it) {
    if (it->first >= start + occupancy) break;  // we fit in the gap before it
    start = std::max(start, it->second);        // overlap: try after it
  }
  // Book [start, end), merged with the periods it touches.
  Picoseconds begin = start, end = start + occupancy;
  if (it != busy_.end() && it->first == end) {
    end = it->second;
    it = busy_.erase(it);
  }
  if (it != busy_.begin() && std::prev(it)->second == begin) {
    auto before = std::prev(it);
    begin = before->first;
    busy_.erase(before);
  }
  busy_.emplace_hint(it, begin, end);
  stats_.busy_ps += occupancy;
  stats_.queued_ps += start - arrival;
  stats_.max_pending = std::max<std::uint64_t>(stats_.max_pending, busy_.size());
  for (ResourceObserver* o : observers_) o->on_booking(start, start + occupancy);
  return start;
}

}  // namespace kb::models

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
  // Forget intervals that finished before now: no request can arrive before now.
  const Picoseconds now = now_ps();
  const auto live =
      std::find_if(busy_.begin(), busy_.end(), [now](const Interval& i) { return i.end > now; });
  busy_.erase(busy_.begin(), live);

  Picoseconds start = arrival;
  auto it = busy_.begin();
  for (; it != busy_.end(); ++it) {
    if (it->end <= start) continue;             // entirely before us
    if (it->begin >= start + occupancy) break;  // we fit in the gap before it
    start = it->end;                            // overlap: try after it
  }
  busy_.insert(it, Interval{start, start + occupancy});
  stats_.busy_ps += occupancy;
  stats_.queued_ps += start - arrival;
  stats_.max_pending = std::max<std::uint64_t>(stats_.max_pending, busy_.size());
  for (ResourceObserver* o : observers_) o->on_booking(start, start + occupancy);
  return start;
}

}  // namespace kb::models

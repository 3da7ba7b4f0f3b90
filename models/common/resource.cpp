#include "models/common/resource.h"

#include <algorithm>

namespace kb::models {

void Resource::remove_observer(ResourceObserver* observer) {
  observers_.erase(std::remove(observers_.begin(), observers_.end(), observer), observers_.end());
}

std::vector<Resource::Interval>::iterator Resource::first_after(Picoseconds arrival) {
  // Forget busy periods that ended before now (no request can arrive before now): skipped
  // past, and dropped in one go once they are half of what is kept.
  const Picoseconds now = now_ps();
  while (head_ < busy_.size() && busy_[head_].end <= now) ++head_;
  if (head_ > 16 && head_ * 2 > busy_.size()) {
    busy_.erase(busy_.begin(), busy_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  return std::partition_point(busy_.begin() + static_cast<std::ptrdiff_t>(head_), busy_.end(),
                              [arrival](const Interval& i) { return i.end <= arrival; });
}

std::vector<Resource::Interval>::iterator Resource::book(std::vector<Interval>::iterator it,
                                                         Picoseconds begin, Picoseconds end) {
  for (ResourceObserver* o : observers_) o->on_booking(begin, end);
  const bool joins_next = it != busy_.end() && it->begin == end;
  const bool joins_previous =
      it != busy_.begin() + static_cast<std::ptrdiff_t>(head_) && std::prev(it)->end == begin;
  if (joins_previous && joins_next) {
    std::prev(it)->end = it->end;
    return std::prev(busy_.erase(it));
  }
  if (joins_previous) {
    std::prev(it)->end = end;
    return std::prev(it);
  }
  if (joins_next) {
    it->begin = begin;
    return it;
  }
  return busy_.insert(it, Interval{begin, end});
}

void Resource::count(Picoseconds arrival, Picoseconds occupancy, Picoseconds end) {
  stats_.busy_ps += occupancy;
  stats_.queued_ps += end - occupancy - arrival;
  stats_.max_pending = std::max<std::uint64_t>(stats_.max_pending, busy_.size() - head_);
}

void Resource::charge(std::uint64_t bytes, Picoseconds begin, Picoseconds end) {
  if (energy_ != nullptr) energy_->charge(static_cast<double>(bytes) * pj_per_byte_, begin, end);
}

Picoseconds Resource::reserve_for(Picoseconds arrival, Picoseconds occupancy, std::uint64_t bytes) {
  ++stats_.transactions;
  stats_.bytes += bytes;
  if (occupancy == 0) {
    charge(bytes, arrival, arrival);
    return arrival;
  }
  // First fit from the arrival: start at the first gap long enough. Busy periods are
  // sorted, disjoint and never touch (touching ones are merged), so the walk from the
  // first period ending after the arrival visits one per gap.
  Picoseconds start = arrival;
  auto it = first_after(arrival);
  for (; it != busy_.end(); ++it) {
    if (it->begin >= start + occupancy) break;  // we fit in the gap before it
    start = std::max(start, it->end);           // overlap: try after it
  }
  book(it, start, start + occupancy);
  count(arrival, occupancy, start + occupancy);
  charge(bytes, start, start + occupancy);
  return start;
}

Resource::Window Resource::reserve_stream(Picoseconds arrival, std::uint64_t bytes,
                                          std::uint64_t grain) {
  ++stats_.transactions;
  stats_.bytes += bytes;
  const Picoseconds occupancy = bandwidth_.occupancy(bytes);
  if (occupancy == 0) {
    charge(bytes, arrival, arrival);
    return {arrival, arrival, 0};
  }
  // Fill the gaps from the arrival on until the occupancy is served; `t` walks the time.
  const Picoseconds entry = std::max<Picoseconds>(1, bandwidth_.occupancy(grain));
  Window w{arrival, arrival, occupancy};
  bool started = false;
  Picoseconds t = arrival;
  Picoseconds left = occupancy;
  auto it = first_after(arrival);
  while (left > 0) {
    // Busy at t, or idle for less than an entry (and the rest): carry on after it.
    if (it != busy_.end() && (it->begin <= t || it->begin - t < std::min(entry, left))) {
      t = std::max(t, it->end);
      ++it;
      continue;
    }
    const Picoseconds take = it == busy_.end() ? left : std::min(left, it->begin - t);
    if (!started) w.begin = t;
    started = true;
    w.end = t + take;
    left -= take;
    it = book(it, t, w.end);  // now the period holding what was just booked
    t = w.end;
  }
  count(arrival, occupancy, w.end);
  charge(bytes, w.begin, w.end);
  return w;
}

}  // namespace kb::models

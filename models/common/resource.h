#pragma once
// A shared resource with bandwidth: a link direction, a router port, a memory port.
//
// Contention rule (docs/adr/0003-contention-under-temporal-decoupling.md): a request that
// arrives at time `arrival` for `occupancy` is placed in the earliest idle gap at or after
// its arrival that is long enough; reservations already made never move. Under temporal
// decoupling requests reach a resource out of arrival order; gap filling lets an earlier
// arrival use idle time before a later, already-booked transfer instead of queueing
// behind it. Busy intervals that end before the current simulated time can no longer
// matter (every arrival is >= now) and are dropped, so the list stays short.

#include "models/common/energy.h"
#include "models/common/sim_time.h"

#include <vector>

namespace kb::models {

struct ResourceStats {
  std::uint64_t transactions = 0;
  std::uint64_t bytes = 0;
  Picoseconds busy_ps = 0;
  Picoseconds queued_ps = 0;      // time requests waited for the resource
  std::uint64_t max_pending = 0;  // high-water mark of booked-but-unfinished busy periods
};

// Told of every booking, for activity tracing (VCD). Bookings never start in the past.
class ResourceObserver {
 public:
  virtual ~ResourceObserver() = default;
  virtual void on_booking(Picoseconds begin, Picoseconds end) = 0;
};

class Resource {
 public:
  Resource() = default;
  explicit Resource(double bw_gbps) : bandwidth_(bw_gbps) {}

  // Books the resource for `bytes` arriving at `arrival`; returns the start time.
  Picoseconds reserve(Picoseconds arrival, std::uint64_t bytes) {
    return reserve_for(arrival, bandwidth_.occupancy(bytes), bytes);
  }
  // The same with an explicit occupancy (for resources that are not byte-driven).
  Picoseconds reserve_for(Picoseconds arrival, Picoseconds occupancy, std::uint64_t bytes);

  // Books `bytes` arriving at `arrival` as a stream of `grain`-byte entries (flow fidelity,
  // models/common/fidelity.h): it takes the idle time others leave, from its arrival on, in
  // as many gaps as its occupancy needs, the way its entries would have interleaved with
  // other traffic; like an entry, it uses no gap shorter than an entry's occupancy.
  // Returns when its first byte starts and its last byte ends.
  struct Window {
    Picoseconds begin;
    Picoseconds end;
    Picoseconds occupancy;  // the stream's time on an idle resource
  };
  Window reserve_stream(Picoseconds arrival, std::uint64_t bytes, std::uint64_t grain);
  // Books `bytes` arriving at `arrival` as a stream of `stream_grain`-byte entries, or in
  // one contiguous booking when `stream_grain` is 0 (TransferExtension::stream_grain).
  Window serve(Picoseconds arrival, std::uint64_t bytes, std::uint64_t stream_grain) {
    if (stream_grain != 0) return reserve_stream(arrival, bytes, stream_grain);
    const Picoseconds occupancy = bandwidth_.occupancy(bytes);
    const Picoseconds start = reserve_for(arrival, occupancy, bytes);
    return {start, start + occupancy, occupancy};
  }

  // Charges every byte booked here `pj_per_byte` on `account` (a link's, a router's).
  void meter(EnergyAccount* account, double pj_per_byte) {
    energy_ = account;
    pj_per_byte_ = pj_per_byte;
  }

  // Observers (VCD, timeline) are told of every booking; a resource has few, usually none.
  void add_observer(ResourceObserver* observer) { observers_.push_back(observer); }
  void remove_observer(ResourceObserver* observer);

  const Bandwidth& bandwidth() const { return bandwidth_; }
  const ResourceStats& stats() const { return stats_; }
  Picoseconds occupancy(std::uint64_t bytes) const { return bandwidth_.occupancy(bytes); }

 private:
  struct Interval {
    Picoseconds begin;
    Picoseconds end;
  };
  // Drops the busy periods that ended before now; returns where those ending after
  // `arrival` begin.
  std::vector<Interval>::iterator first_after(Picoseconds arrival);
  // Books [begin, end) at `at` (the first period after it), merged with the periods it
  // touches; returns the period that now holds it.
  std::vector<Interval>::iterator book(std::vector<Interval>::iterator at, Picoseconds begin,
                                       Picoseconds end);
  void count(Picoseconds arrival, Picoseconds occupancy, Picoseconds end);
  void charge(std::uint64_t bytes, Picoseconds begin, Picoseconds end);

  Bandwidth bandwidth_;
  std::vector<Interval> busy_;  // sorted, disjoint, never touching; those before head_ ended
  std::size_t head_ = 0;
  ResourceStats stats_;
  std::vector<ResourceObserver*> observers_;
  EnergyAccount* energy_ = nullptr;
  double pj_per_byte_ = 0.0;
};

}  // namespace kb::models

#pragma once
// The credits a PE's IPCQ holds towards one peer: when each becomes usable, in order.
//
// Credits come back in messages (CreditWord): a flow transfer's whole queue's worth in
// one, each credit's time a formula of the message's arrival. The queue keeps each
// message as one run and computes a credit's time when it is asked for, so that returning
// and taking a transfer's credits costs the same for one credit or a queue's worth (it
// pushed every credit's time, 2 % of a 64-SIP all-reduce's instructions).

#include "models/common/sim_time.h"

#include <boost/circular_buffer.hpp>

#include <algorithm>
#include <cstdint>

namespace kb::models {

// A credit message's payload: `count` credits, the last at the message's arrival and each
// earlier one `step` before the next (the entries they free were taken that far apart), the
// first `early` of them `gap` earlier still (entries of the round trip before the last,
// flow fidelity). It goes when the last is free: a sender sees a transfer's credits
// together.
struct CreditWord {
  std::uint64_t count = 1;
  Picoseconds step = 0;
  std::uint64_t early = 0;
  Picoseconds gap = 0;
  // When credit i (0: the first) is usable, for a message that arrives at `arrival`.
  Picoseconds at(Picoseconds arrival, std::uint64_t i) const {
    const Picoseconds before = (count - 1 - i) * step + (i < early ? gap : 0);
    return arrival - std::min(arrival, before);
  }
};

class CreditQueue {
 public:
  // Empty, with room for `capacity` credits (the queue's depth): it never allocates after.
  void reset(std::uint64_t capacity);
  // The credits of a message that arrived at `arrival`, after those held.
  void push(const CreditWord& word, Picoseconds arrival);
  std::uint64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // When credit i (0: the next to be taken; i < size()) is usable.
  Picoseconds operator[](std::uint64_t i) const;
  Picoseconds front() const { return (*this)[0]; }
  // Takes the next `n` credits (n <= size()).
  void pop_front(std::uint64_t n = 1);

 private:
  struct Run {
    CreditWord word;
    Picoseconds arrival;
    std::uint64_t taken;  // of the word's credits, from its first
  };
  boost::circular_buffer<Run> runs_;  // each holds at least one credit not taken
  std::uint64_t size_ = 0;
};

}  // namespace kb::models

#include "models/common/local_clock.h"

namespace kb::models {

void LocalClock::sync() {
  sc_core::wait(from_ps(offset_));
  reset();
}

void LocalClock::reset() {
  offset_ = 0;
  const Picoseconds now = now_ps();
  const Picoseconds quantum = to_ps(tlm::tlm_global_quantum::instance().get());
  next_sync_ = quantum == 0 ? now : now + (quantum - now % quantum);
}

}  // namespace kb::models

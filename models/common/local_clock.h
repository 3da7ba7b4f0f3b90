#pragma once
// A process's own time under temporal decoupling (TLM-2.0 loosely timed): how far it has
// run ahead of the kernel's clock, and when it must hand control back. The contract of
// tlm_utils::tlm_quantumkeeper (sync points on the multiples of the global quantum) kept in
// picoseconds: a PE core advances its clock on every operation, and the keeper's sc_time
// arithmetic costs a call into the library per conversion and per reading of the kernel's
// time, through virtual functions (3 % of a 16-SIP all-reduce's instructions).

#include "models/common/sim_time.h"

namespace kb::models {

class LocalClock {
 public:
  // How far ahead of the kernel's time this process is.
  Picoseconds offset() const { return offset_; }
  // The process's time: the kernel's plus the offset.
  Picoseconds now() const { return now_ps() + offset_; }
  void advance(Picoseconds by) { offset_ += by; }
  void set_offset(Picoseconds offset) { offset_ = offset; }
  // Moves the process's time up to `at` if it is earlier.
  void catch_up(Picoseconds at) {
    const Picoseconds local = now();
    if (at > local) offset_ += at - local;
  }
  // Whether the process has reached its next sync point.
  bool need_sync() const { return now() >= next_sync_; }
  // Waits out the offset (a delta cycle if it is zero), then reset().
  void sync();
  // Offset zero; the next sync point at the next multiple of the global quantum (now, if
  // the quantum is zero).
  void reset();

 private:
  Picoseconds offset_ = 0;
  Picoseconds next_sync_ = 0;
};

}  // namespace kb::models

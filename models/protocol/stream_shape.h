#pragma once
// The shape of an IPCQ transfer in time, which flow fidelity (models/common/fidelity.h)
// times analytically instead of entry by entry.

#include "models/common/sim_time.h"

#include <cstdint>

namespace kb::models {

// How an IPCQ send's data comes and goes, for flow fidelity to time it as its entries:
// the data is ready from the sender's local time on, the last of it `spread` later (a
// stream still being produced), and the receiver takes it `unit_bytes` at a time, `unit_ps`
// to take each (credits come back as units are taken, before the receiver combines them).
// 0: all ready; entry by entry.
struct StreamShape {
  Picoseconds spread = 0;
  // When the sender issued it (set by the IPCQ): the spread runs from here, however long
  // busy resources then hold its first bytes.
  Picoseconds issued = 0;
  std::uint64_t unit_bytes = 0;
  Picoseconds unit_ps = 0;
  std::uint64_t grain_bytes = 0;  // its entries' size (set by the IPCQ)
  // The credits' spread (set by the IPCQ): the first queue's worth leaves over this time as
  // its credits come in. Beyond a queue's worth, entry j + depth follows entry j a round
  // trip later: the last entry follows the one whose credit came `credit_lag` after the
  // first.
  Picoseconds credit_spread = 0;
  Picoseconds credit_lag = 0;
};

// When the bytes of an IPCQ recv or a streamed access arrived: the first of them and the
// last; and, for an access, what it would take on idle resources: its path's latencies,
// and the longest a resource on the path takes to move its bytes.
struct StreamArrival {
  Picoseconds first = 0;
  Picoseconds last = 0;
  Picoseconds latency = 0;
  Picoseconds occupancy = 0;
};

}  // namespace kb::models

#pragma once
// Simulated time as whole picoseconds. The model runs at a 1 ps time resolution (set by
// set_time_resolution() before anything else touches sc_time), so an sc_time's value()
// is picoseconds and hot paths convert with integer arithmetic only.

#include <systemc>

#include <cstdint>

namespace kb::models {

using Picoseconds = std::uint64_t;

// Sets the kernel's resolution to 1 ps; call once, before creating any module.
void set_time_resolution();

inline sc_core::sc_time from_ps(Picoseconds ps) { return sc_core::sc_time::from_value(ps); }
inline Picoseconds to_ps(const sc_core::sc_time& t) { return t.value(); }
inline Picoseconds now_ps() { return sc_core::sc_time_stamp().value(); }

// Nanoseconds and GHz from the topology, turned into picoseconds at elaboration.
Picoseconds ns_to_ps(double ns);
Picoseconds cycles_to_ps(std::uint64_t cycles, double freq_ghz);

// The time `bytes` occupy a port of `bw_gbps` (10^9 bytes/s), rounded up to whole ps.
class Bandwidth {
 public:
  Bandwidth() = default;
  explicit Bandwidth(double bw_gbps);
  Picoseconds occupancy(std::uint64_t bytes) const;
  double gbps() const { return gbps_; }

 private:
  double gbps_ = 0.0;
  double ps_per_byte_ = 0.0;
};

}  // namespace kb::models

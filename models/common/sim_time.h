#pragma once
// Simulated time as whole picoseconds. The model runs at a 1 ps time resolution (set by
// set_time_resolution() before anything else touches sc_time), so an sc_time's value()
// is picoseconds and hot paths convert with integer arithmetic only.

#include <systemc>
#include <tlm>

#include <cstdint>

namespace kb::models {

using Picoseconds = std::uint64_t;

// The longest duration and the latest time a run may reach: 2^62 ps (53 days). Durations
// saturate here, so that a sum of a few never wraps 64 bits and the driver can report a
// run that goes past it (platform::Simulation::run).
constexpr Picoseconds kMaxPicoseconds = Picoseconds{1} << 62;

// Sets the kernel's resolution to 1 ps; call once, before creating any module.
void set_time_resolution();

inline sc_core::sc_time from_ps(Picoseconds ps) { return sc_core::sc_time::from_value(ps); }
inline Picoseconds to_ps(const sc_core::sc_time& t) { return t.value(); }
// The kernel's clock, read inline: sc_time_stamp() is a call into the library, taken
// several times per transaction (4.8 % of a transaction-level run's instructions).
inline Picoseconds now_ps() { return sc_core::sc_get_curr_simcontext()->time_stamp().value(); }

// Nanoseconds and GHz from the topology, turned into picoseconds at elaboration; both
// saturate at kMaxPicoseconds.
Picoseconds ns_to_ps(double ns);
Picoseconds cycles_to_ps(std::uint64_t cycles, double freq_ghz);

// A clock's cycles in picoseconds, as cycles_to_ps() gives them; where the period is a whole
// number of picoseconds (1 GHz: 1000) by one multiplication, exact below its limit (taken
// for every core operation and hop).
class ClockPeriod {
 public:
  explicit ClockPeriod(double freq_ghz);
  double freq_ghz() const { return freq_ghz_; }
  Picoseconds of(std::uint64_t cycles) const {
    return cycles < whole_below_ ? cycles * whole_ps_ : cycles_to_ps(cycles, freq_ghz_);
  }

 private:
  double freq_ghz_;
  Picoseconds whole_ps_ = 0;
  std::uint64_t whole_below_ = 0;  // no cycle count uses whole_ps_ if the period is not whole
};

// The time `bytes` occupy a port of `bw_gbps` (10^9 bytes/s), rounded up to whole ps and
// saturating at kMaxPicoseconds.
class Bandwidth {
 public:
  Bandwidth() = default;
  explicit Bandwidth(double bw_gbps);
  // The time `bytes` take, rounded up. Inline, without libm's ceil (a call on this target):
  // every hop of every transaction asks; y < 2^53 here, so the truncation is exact.
  Picoseconds occupancy(std::uint64_t bytes) const {
    // The small slack keeps exact products (4096 B at 128 GB/s = 32000 ps) from rounding up.
    const double y = static_cast<double>(bytes) * ps_per_byte_ - 1e-6;
    if (!(y < static_cast<double>(kMaxPicoseconds))) return kMaxPicoseconds;
    if (y <= 0.0) return 0;
    const auto whole = static_cast<Picoseconds>(y);  // floor, y being positive
    return static_cast<double>(whole) < y ? whole + 1 : whole;
  }
  double gbps() const { return gbps_; }

 private:
  double gbps_ = 0.0;
  double ps_per_byte_ = 0.0;
};

}  // namespace kb::models

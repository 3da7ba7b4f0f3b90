#include "models/common/sim_time.h"

#include <cmath>

namespace kb::models {

void set_time_resolution() {
  if (sc_core::sc_get_time_resolution() != sc_core::sc_time(1, sc_core::SC_PS)) {
    sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
  }
}

namespace {
Picoseconds saturated(double ps) {
  if (!(ps < static_cast<double>(kMaxPicoseconds))) return kMaxPicoseconds;  // NaN too
  if (ps <= 0) return 0;  // validated inputs never are below
  // Half away from zero, as llround, without its call into libm (taken for every core
  // operation's cycles): the fraction below 2^52 is exact, and nothing above has one.
  const auto whole = static_cast<Picoseconds>(ps);
  return whole + (ps - static_cast<double>(whole) >= 0.5 ? 1 : 0);
}
}  // namespace

Picoseconds ns_to_ps(double ns) { return saturated(ns * 1000.0); }

Picoseconds cycles_to_ps(std::uint64_t cycles, double freq_ghz) {
  return saturated(static_cast<double>(cycles) * 1000.0 / freq_ghz);
}

Bandwidth::Bandwidth(double bw_gbps) : gbps_(bw_gbps), ps_per_byte_(1000.0 / bw_gbps) {}

Picoseconds Bandwidth::occupancy(std::uint64_t bytes) const {
  // The small slack keeps exact products (4096 B at 128 GB/s = 32000 ps) from rounding up.
  const double ps = std::ceil(static_cast<double>(bytes) * ps_per_byte_ - 1e-6);
  return ps < static_cast<double>(kMaxPicoseconds) ? static_cast<Picoseconds>(ps) : kMaxPicoseconds;
}

}  // namespace kb::models

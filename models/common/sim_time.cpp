#include "models/common/sim_time.h"

#include <algorithm>
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

ClockPeriod::ClockPeriod(double freq_ghz) : freq_ghz_(freq_ghz) {
  if (!(freq_ghz > 0)) return;
  const double period = std::round(1000.0 / freq_ghz);
  // Whole only if period x freq is 1000 exactly: then cycles x 1000 / freq, exact in a double
  // below 2^53, is cycles x period, and cycles_to_ps() rounds to it.
  if (period < 1 || std::fma(period, freq_ghz, -1000.0) != 0.0) return;
  whole_ps_ = static_cast<Picoseconds>(period);
  whole_below_ =
      std::min<std::uint64_t>((std::uint64_t{1} << 53) / 1000, kMaxPicoseconds / whole_ps_);
}

Bandwidth::Bandwidth(double bw_gbps) : gbps_(bw_gbps), ps_per_byte_(1000.0 / bw_gbps) {}

}  // namespace kb::models

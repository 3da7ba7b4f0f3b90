#pragma once
// Energy as the models spend it (docs/energy.md). A component that spends energy owns an
// EnergyAccount, registered in the statistics tree under the component's path: each action
// it times (a byte through a port, a MAC, a message) is charged there at once, over the
// interval the action occupies, so no second pass over a trace is needed. Static (leakage)
// power is the account's constant; reports turn it into energy over the measured time.
// The power meter keeps the dynamic energy of every power domain (a cube, or the links
// between SIPs and to the host) in time bins, for peak power, the timeline and the VCD.

#include "models/common/sim_time.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace kb::models {

// Where energy goes: the report's `energy.by_class`.
enum class EnergyClass { compute, hbm, sram, tcm, noc, inter_sip, host, control };
inline constexpr std::array kEnergyClasses{
    EnergyClass::compute, EnergyClass::hbm,       EnergyClass::sram, EnergyClass::tcm,
    EnergyClass::noc,     EnergyClass::inter_sip, EnergyClass::host, EnergyClass::control};
const char* to_string(EnergyClass c);

// The dynamic energy of every power domain in bins of a common window. The window starts
// at `window_ps` and doubles (merging neighbouring bins) whenever a run outgrows
// `max_bins`, so long runs keep a bounded memory and the report states the window used.
class PowerMeter {
 public:
  static constexpr std::size_t kMaxBins = 4096;

  // Forgets everything: a domain per cube of `sips` x `cubes_per_sip`, one for the links
  // outside the cubes, bins of `window_ps` to start with.
  void reset(std::size_t sips, std::size_t cubes_per_sip, Picoseconds window_ps);
  // The domain of the component at hierarchical `path`: its cube's ("system.sip1.cube3...")
  // or, outside every cube, the links' (the last).
  std::size_t domain_of(const std::string& path) const;
  // Adds `pj` spent evenly over [begin, end) (at `begin` when the interval is empty).
  void add(std::size_t domain, double pj, Picoseconds begin, Picoseconds end);

  Picoseconds window_ps() const { return window_ps_; }
  std::size_t domains() const { return bins_.size(); }
  std::size_t cubes_per_sip() const { return cubes_per_sip_; }
  // Picojoules spent in bin `i` of `domain` ([i * window, (i + 1) * window)).
  const std::vector<double>& bins(std::size_t domain) const { return bins_.at(domain); }

 private:
  void widen_to(std::size_t bin);

  Picoseconds window_ps_ = 1'000'000;
  std::size_t cubes_per_sip_ = 1;
  std::vector<std::vector<double>> bins_;
};

PowerMeter& power_meter();

// One component's energy: its class, its power domain, its leakage and what it has spent.
class EnergyAccount {
 public:
  EnergyAccount(EnergyClass cls, std::size_t domain, double static_w)
      : class_(cls), domain_(domain), static_w_(static_w) {}

  // Charges `pj` spent over [begin, end).
  void charge(double pj, Picoseconds begin, Picoseconds end) {
    if (pj <= 0.0) return;
    dynamic_pj_ += pj;
    meter_.add(domain_, pj, begin, end);
  }

  EnergyClass energy_class() const { return class_; }
  std::size_t domain() const { return domain_; }
  double static_w() const { return static_w_; }
  double dynamic_pj() const { return dynamic_pj_; }

 private:
  EnergyClass class_;
  std::size_t domain_;
  double static_w_;
  double dynamic_pj_ = 0.0;
  PowerMeter& meter_ = power_meter();  // charged on every transfer: looked up once
};

}  // namespace kb::models

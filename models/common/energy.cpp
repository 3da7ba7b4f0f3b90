#include "models/common/energy.h"

#include <algorithm>
#include <cstdio>

namespace kb::models {

const char* to_string(EnergyClass c) {
  switch (c) {
    case EnergyClass::compute: return "compute";
    case EnergyClass::hbm: return "hbm";
    case EnergyClass::sram: return "sram";
    case EnergyClass::tcm: return "tcm";
    case EnergyClass::noc: return "noc";
    case EnergyClass::inter_sip: return "inter_sip";
    case EnergyClass::host: return "host";
    case EnergyClass::control: return "control";
  }
  return "?";
}

void PowerMeter::reset(std::size_t sips, std::size_t cubes_per_sip, Picoseconds window_ps) {
  window_ps_ = std::max<Picoseconds>(1, window_ps);
  cubes_per_sip_ = cubes_per_sip;
  bins_.assign(sips * cubes_per_sip + 1, {});
}

std::size_t PowerMeter::domain_of(const std::string& path) const {
  const std::size_t links = bins_.empty() ? 0 : bins_.size() - 1;
  // A cube's components, and the mesh links leaving it east or south, are the cube's.
  unsigned sip = 0, cube = 0;
  const std::size_t at = path.find(".sip");
  if (at == std::string::npos ||
      (std::sscanf(path.c_str() + at, ".sip%u.cube%u", &sip, &cube) != 2 &&
       std::sscanf(path.c_str() + at, ".sip%u.link_cube%u", &sip, &cube) != 2)) {
    return links;
  }
  return std::min<std::size_t>(links, sip * cubes_per_sip_ + cube);
}

void PowerMeter::widen_to(std::size_t bin) {
  while (bin >= kMaxBins) {
    for (std::vector<double>& d : bins_) {
      for (std::size_t i = 0; i < d.size(); ++i) d[i / 2] = (i % 2 == 0 ? 0.0 : d[i / 2]) + d[i];
      d.resize((d.size() + 1) / 2);
    }
    window_ps_ *= 2;
    bin /= 2;
  }
}

void PowerMeter::add(std::size_t domain, double pj, Picoseconds begin, Picoseconds end) {
  if (domain >= bins_.size()) return;  // a model built outside a simulation: nothing meters it
  const Picoseconds last_ps = end > begin ? end - 1 : begin;
  std::size_t last = last_ps / window_ps_;
  if (last >= kMaxBins) {
    widen_to(last);
    last = last_ps / window_ps_;
  }
  // Most charges fall within one bin: one division for them.
  const std::size_t first = last_ps % window_ps_ >= last_ps - begin ? last : begin / window_ps_;
  std::vector<double>& d = bins_[domain];
  if (d.size() <= last) d.resize(last + 1, 0.0);
  if (first == last) {
    d[first] += pj;
    return;
  }
  // Spread evenly over the interval: each bin gets its share of the overlap.
  const double per_ps = pj / static_cast<double>(end - begin);
  for (std::size_t i = first; i <= last; ++i) {
    const Picoseconds lo = std::max<Picoseconds>(begin, i * window_ps_);
    const Picoseconds hi = std::min<Picoseconds>(end, (i + 1) * window_ps_);
    d[i] += per_ps * static_cast<double>(hi - lo);
  }
}

PowerMeter& power_meter() {
  static PowerMeter meter;
  return meter;
}

}  // namespace kb::models

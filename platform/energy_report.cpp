#include "platform/energy_report.h"

#include "models/common/stats.h"

#include <algorithm>

namespace kb::platform {

namespace {
constexpr double kJoulesPerPj = 1e-12;
}  // namespace

std::vector<double> energy_snapshot() {
  std::vector<double> pj;
  for (const auto& e : models::stats_registry().energies()) pj.push_back(e.account->dynamic_pj());
  return pj;
}

double static_power_w() {
  double w = 0.0;
  for (const auto& e : models::stats_registry().energies()) w += e.account->static_w();
  return w;
}

nlohmann::ordered_json energy_json(const std::vector<double>& gained_pj, models::Picoseconds begin,
                                   models::Picoseconds end, std::size_t top) {
  const auto& accounts = models::stats_registry().energies();
  const double seconds = static_cast<double>(end > begin ? end - begin : 0) * 1e-12;
  std::vector<double> by_class(models::kEnergyClasses.size(), 0.0);
  std::vector<double> dynamic_by_class(models::kEnergyClasses.size(), 0.0);
  std::vector<std::pair<double, const std::string*>> components;
  double dynamic_j = 0.0, static_j = 0.0;
  for (std::size_t i = 0; i < accounts.size() && i < gained_pj.size(); ++i) {
    const models::EnergyAccount& a = *accounts[i].account;
    const double dyn = gained_pj[i] * kJoulesPerPj;
    const double stat = a.static_w() * seconds;
    dynamic_j += dyn;
    static_j += stat;
    by_class[static_cast<std::size_t>(a.energy_class())] += dyn + stat;
    dynamic_by_class[static_cast<std::size_t>(a.energy_class())] += dyn;
    if (dyn + stat > 0.0) components.emplace_back(dyn + stat, &accounts[i].path);
  }
  // The top components, most energy first (ties by path, so that the list is deterministic).
  const std::size_t n = std::min(top, components.size());
  std::partial_sort(components.begin(), components.begin() + static_cast<std::ptrdiff_t>(n),
                    components.end(), [](const auto& a, const auto& b) {
                      return a.first != b.first ? a.first > b.first : *a.second < *b.second;
                    });
  nlohmann::ordered_json classes = nlohmann::ordered_json::object();
  nlohmann::ordered_json dynamic_classes = nlohmann::ordered_json::object();
  for (models::EnergyClass c : models::kEnergyClasses) {
    classes[models::to_string(c)] = by_class[static_cast<std::size_t>(c)];
    dynamic_classes[models::to_string(c)] = dynamic_by_class[static_cast<std::size_t>(c)];
  }
  nlohmann::ordered_json top_list = nlohmann::ordered_json::object();
  for (std::size_t i = 0; i < n; ++i) top_list[*components[i].second] = components[i].first;

  // Peak: the busiest window of the machine's dynamic power, plus its static power; never
  // below the average (a region shorter than a window dilutes its window).
  const models::PowerMeter& meter = models::power_meter();
  const models::Picoseconds window = meter.window_ps();
  double peak_pj = 0.0;
  if (end > begin) {
    for (std::size_t bin = begin / window; bin <= (end - 1) / window; ++bin) {
      double pj = 0.0;
      for (std::size_t d = 0; d < meter.domains(); ++d) {
        const std::vector<double>& bins = meter.bins(d);
        if (bin < bins.size()) pj += bins[bin];
      }
      peak_pj = std::max(peak_pj, pj);
    }
  }
  const double total_j = dynamic_j + static_j;
  const double avg_w = seconds > 0 ? total_j / seconds : 0.0;
  const double static_w = static_power_w();
  const double peak_w =
      std::max(avg_w, peak_pj * kJoulesPerPj / (static_cast<double>(window) * 1e-12) + static_w);

  nlohmann::ordered_json j;
  j["total_j"] = total_j;
  j["dynamic_j"] = dynamic_j;
  j["static_j"] = static_j;
  j["static_w"] = static_w;
  j["by_class"] = std::move(classes);
  j["dynamic_by_class"] = std::move(dynamic_classes);
  j["by_component"] = std::move(top_list);
  j["avg_power_w"] = avg_w;
  j["peak_power_w"] = seconds > 0 ? peak_w : 0.0;
  j["power_window_ns"] = static_cast<double>(window) / 1000.0;
  return j;
}

Units energy_units() {
  Units u;
  u.declare("total_j", "J", "energy of the measured work: dynamic plus static");
  u.declare("dynamic_j", "J", "energy of the actions the measured work made");
  u.declare("static_j", "J", "the machine's static power over the measured time");
  u.declare("static_w", "W", "the machine's static (leakage) power");
  u.declare("by_class.*", "J", "the energy of one class of component, dynamic plus static");
  u.declare("dynamic_by_class.*", "J", "the dynamic energy of one class of component");
  u.declare("by_component.*", "J", "one of the components that took the most energy");
  u.declare("avg_power_w", "W", "total energy over the measured time");
  u.declare("peak_power_w", "W",
            "the busiest power window's dynamic power plus the static power, at least the "
            "average");
  u.declare("power_window_ns", "ns", "the window peak power is averaged over");
  return u;
}

}  // namespace kb::platform

#pragma once
// Without SystemC: the topology embeds it, and its loader builds without the kernel.

#include "models/common/attr_schema.h"

namespace kb::models {

// The topology keys of every link and memory port (`*.latency_ns`, `*.bw_gbps`). Each
// link and memory of the topology gives its own defaults (platform/topology/topology.h).
struct PortAttrs {
  double latency_ns = 0.0;
  double bw_gbps = 0.0;

  // The rows of a port that is the `what` ("link between two SIPs").
  static std::vector<AttrRow<PortAttrs>> schema(const std::string& what) {
    return {{"latency_ns", "ns", kLatencyNs, "latency of the " + what, &PortAttrs::latency_ns},
            {"bw_gbps", "GB/s", kBandwidthGbps,
             "bandwidth of the " + what + " (10^9 bytes per second)", &PortAttrs::bw_gbps}};
  }
};

// The rows of `Base` as rows of a struct derived from it.
template <class Derived, class Base>
std::vector<AttrRow<Derived>> rows_of(std::vector<AttrRow<Base>> rows) {
  std::vector<AttrRow<Derived>> out;
  for (AttrRow<Base>& r : rows) {
    out.push_back(
        {std::move(r.key), std::move(r.unit), r.range, std::move(r.description),
         std::visit([](auto m) -> decltype(AttrRow<Derived>::member) { return m; }, r.member),
         r.effect});
  }
  return out;
}

// A link: its timing, the energy each byte costs to cross it, its leakage and its PHYs'
// area (both ends). Defaults and sources: docs/energy.md.
struct LinkAttrs : PortAttrs {
  double pj_per_byte = 0.0;
  double static_w = 0.0;
  double area_mm2 = 0.0;

  static std::vector<AttrRow<LinkAttrs>> schema(const std::string& what) {
    using A = LinkAttrs;
    auto rows = rows_of<A>(PortAttrs::schema(what));
    rows.push_back({"pj_per_byte", "pJ/B", kPicojoules, "energy of one byte crossing the " + what,
                    &A::pj_per_byte, AttrEffect::energy});
    rows.push_back({"static_w", "W", kWatts, "static (leakage and idle PHY) power of the " + what,
                    &A::static_w, AttrEffect::energy});
    rows.push_back({"area_mm2", "mm^2", kSquareMm, "silicon area of the " + what + "'s PHYs",
                    &A::area_mm2, AttrEffect::energy});
    return rows;
  }
};

// A memory and its port: timing, the energy of each byte read and written (array access,
// activation and I/O together), its leakage and area, per instance or per MiB.
struct MemoryPortAttrs : PortAttrs {
  double read_pj_per_byte = 0.0;
  double write_pj_per_byte = 0.0;
  double static_w = 0.0;  // per instance, or per MiB of capacity (`per_mb`)
  double area_mm2 = 0.0;

  static std::vector<AttrRow<MemoryPortAttrs>> schema(const std::string& what, bool per_mb) {
    using A = MemoryPortAttrs;
    auto rows = rows_of<A>(PortAttrs::schema(what));
    const std::string suffix = per_mb ? "_per_mb" : "";
    const std::string per = per_mb ? " per MiB of capacity" : "";
    rows.push_back({"read_pj_per_byte", "pJ/B", kPicojoules,
                    "energy of one byte read from the " + what, &A::read_pj_per_byte,
                    AttrEffect::energy});
    rows.push_back({"write_pj_per_byte", "pJ/B", kPicojoules,
                    "energy of one byte written to the " + what, &A::write_pj_per_byte,
                    AttrEffect::energy});
    rows.push_back({"static_w" + suffix, "W", kWatts, "static power of the " + what + per,
                    &A::static_w, AttrEffect::energy});
    rows.push_back({"area_mm2" + suffix, "mm^2", kSquareMm, "silicon area of the " + what + per,
                    &A::area_mm2, AttrEffect::energy});
    return rows;
  }
};

}  // namespace kb::models

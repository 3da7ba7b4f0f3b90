#include "runtime/bound/traffic.h"

#include "runtime/kernel/kernel_context.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string_view>
#include <unordered_map>

namespace kb::runtime {

Traffic::Traffic(const platform::Topology& topology)
    : Traffic(topology, std::make_shared<RouteCache>(topology)) {}

Traffic::Traffic(const platform::Topology& topology, std::shared_ptr<RouteCache> routes)
    : t_(topology), routes_(std::move(routes)) {}

void Traffic::macs(const PeCoord& pe, double macs, DType inputs) {
  cycles_[{pe.sip, pe.cube, pe.pe}] +=
      macs /
      static_cast<double>(macs_per_cycle(t_.cube.pe_template.components.pe_core.attrs, inputs));
}

void Traffic::vector(const PeCoord& pe, double elements, double passes) {
  cycles_[{pe.sip, pe.cube, pe.pe}] +=
      elements * passes /
      static_cast<double>(t_.cube.pe_template.components.pe_core.attrs.vector_lanes);
}

void Traffic::dequant(const PeCoord& pe, double weights) {
  cycles_[{pe.sip, pe.cube, pe.pe}] +=
      weights / static_cast<double>(t_.cube.pe_template.components.pe_core.attrs.dequant_per_cycle);
}

void Traffic::tcm(const PeCoord& pe, double bytes) { tcm_[{pe.sip, pe.cube, pe.pe}] += bytes; }

void Traffic::access(const PeCoord& pe, const MemoryCoord& memory, double bytes,
                     Direction direction) {
  flows_[{pe.sip, pe.cube, pe.pe, memory.sip, memory.cube, memory.unit, memory.sram, direction}] +=
      bytes;
}

Bound Traffic::bound() const {
  Bound b;
  const double freq = t_.cube.pe_template.components.pe_core.attrs.freq_ghz;
  double cycles = 0;
  for (const auto& [pe, c] : cycles_) cycles = std::max(cycles, c);
  if (cycles > 0) b.add("compute", cycles / freq);
  double tcm_bytes = 0;
  for (const auto& [pe, bytes] : tcm_) tcm_bytes = std::max(tcm_bytes, bytes);
  if (tcm_bytes > 0) {
    b.add("tcm", tcm_bytes / t_.cube.pe_template.components.pe_tcm.attrs.bw_gbps);
  }
  // Time per resource (its name and term view the cached routes' strings); the term of
  // each kind is its busiest resource, the first by name among equals.
  struct Load {
    std::string_view term;
    double ns = 0;
  };
  std::unordered_map<std::string_view, Load> ns;
  // Each flow alone, the longest per term of its narrowest hop, in the order first met.
  std::vector<std::pair<std::string_view, double>> alone;
  for (const auto& [flow, bytes] : flows_) {
    const auto& [ps, pc, pp, ms, mc, mu, in_sram, direction] = flow;
    const models::Route& r =
        routes_->route(ps, pc, pp, ms, mc, mu, in_sram, direction == Direction::write);
    // Of equally narrow hops, the one nearest the PE names the flow's term.
    const models::Hop* narrowest = nullptr;
    for (std::size_t i = 0; i < r.hops.size(); ++i) {
      const models::Hop& h = r.hops[direction == Direction::write ? i : r.hops.size() - 1 - i];
      Load& load = ns[h.resource];
      load.term = h.term;
      load.ns += bytes / h.gbps;
      if (narrowest == nullptr || h.gbps < narrowest->gbps) narrowest = &h;
    }
    // Its path and its memory's latency (a read's request goes there first), then its
    // bytes at its narrowest resource.
    const double latency = (direction == Direction::read ? 2 : 1) * r.latency_ns +
                           (in_sram ? t_.cube.sram.latency_ns : t_.cube.hbm_slice.latency_ns);
    const double time = latency + bytes / narrowest->gbps;
    const std::string_view term = narrowest->term;
    const auto it =
        std::find_if(alone.begin(), alone.end(), [term](const auto& a) { return a.first == term; });
    if (it == alone.end()) {
      alone.emplace_back(term, time);
    } else {
      it->second = std::max(it->second, time);
    }
  }
  for (const auto& [term, time] : alone) b.add(std::string(term) + " + latency", time);
  std::map<std::string_view, std::pair<std::string_view, double>> busiest;  // term -> best
  for (const auto& [resource, load] : ns) {
    auto& best = busiest[load.term];
    if (load.ns > best.second ||
        (load.ns == best.second && best.second > 0 && resource < best.first)) {
      best = {resource, load.ns};
    }
  }
  for (const auto& [term, best] : busiest) {
    // Links are named: the architect wants to know which one.
    const bool named = term == "mesh_link" || term == "inter_sip_link";
    b.add(named ? fmt::format("{} {}", term, best.first) : std::string(term), best.second);
  }
  return b;
}

}  // namespace kb::runtime

#include "runtime/bound/traffic.h"

#include "runtime/kernel/kernel_context.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

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
  // Bytes per resource; the term of each kind is its busiest resource.
  std::map<std::string, std::pair<std::string, double>> ns;  // resource -> (term, ns)
  for (const auto& [flow, bytes] : flows_) {
    const auto& [ps, pc, pp, ms, mc, mu, in_sram, direction] = flow;
    const models::Route& r =
        routes_->route(ps, pc, pp, ms, mc, mu, in_sram, direction == Direction::write);
    // Of equally narrow hops, the one nearest the PE names the flow's term.
    const models::Hop* narrowest = nullptr;
    for (std::size_t i = 0; i < r.hops.size(); ++i) {
      const models::Hop& h = r.hops[direction == Direction::write ? i : r.hops.size() - 1 - i];
      auto& entry = ns[std::string(h.term) + " " + h.resource];
      entry.first = h.term;
      entry.second += bytes / h.gbps;
      if (narrowest == nullptr || h.gbps < narrowest->gbps) narrowest = &h;
    }
    // The flow alone: its path and its memory's latency (a read's request goes there
    // first), then its bytes at its narrowest resource.
    const double latency = (direction == Direction::read ? 2 : 1) * r.latency_ns +
                           (in_sram ? t_.cube.sram.latency_ns : t_.cube.hbm_slice.latency_ns);
    b.add(std::string(narrowest->term) + " + latency", latency + bytes / narrowest->gbps);
  }
  std::map<std::string, std::pair<std::string, double>> busiest;  // term -> (resource, ns)
  for (const auto& [key, entry] : ns) {
    auto& best = busiest[entry.first];
    if (entry.second > best.second) best = {key.substr(entry.first.size() + 1), entry.second};
  }
  for (const auto& [term, best] : busiest) {
    // Links are named: the architect wants to know which one.
    const bool named = term == "mesh_link" || term == "inter_sip_link";
    b.add(named ? term + " " + best.first : term, best.second);
  }
  return b;
}

}  // namespace kb::runtime

#include "runtime/bound/traffic.h"

#include "runtime/kernel/kernel_context.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

namespace kb::runtime {

Traffic::Traffic(const platform::Topology& topology)
    : t_(topology),
      router_pass_ns_(static_cast<double>(topology.cube.router.hop_latency_cycles) /
                      topology.cube.router.freq_ghz) {}

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

void Traffic::tcm(const PeCoord& pe, double bytes) { tcm_[{pe.sip, pe.cube, pe.pe}] += bytes; }

void Traffic::access(const PeCoord& pe, const MemoryCoord& memory, double bytes,
                     Direction direction) {
  flows_[{pe.sip, pe.cube, pe.pe, memory.sip, memory.cube, memory.unit, memory.sram, direction}] +=
      bytes;
}

void Traffic::mesh(std::uint32_t sip, std::uint32_t from, std::uint32_t to, bool toward,
                   Route& r) const {
  const auto w = static_cast<std::uint32_t>(t_.sip.cube_mesh.w);
  const double gbps = t_.sip.mesh_link.bw_gbps;  // mesh ports are as wide as their link
  std::uint32_t x = from % w, y = from / w;
  const std::uint32_t tx = to % w, ty = to / w;
  std::vector<Hop> hops;
  while (x != tx || y != ty) {  // x first, then y: the routers' XY rule
    const std::uint32_t here = y * w + x;
    if (x != tx) {
      x = tx > x ? x + 1 : x - 1;
    } else {
      y = ty > y ? y + 1 : y - 1;
    }
    const std::uint32_t next = y * w + x;
    const auto [a, b] = toward ? std::make_pair(here, next) : std::make_pair(next, here);
    hops.push_back({"mesh_link", fmt::format("sip{}.cube{}->cube{}", sip, a, b), gbps});
    r.latency_ns += t_.sip.mesh_link.latency_ns + router_pass_ns_;
  }
  if (!toward) std::reverse(hops.begin(), hops.end());
  r.hops.insert(r.hops.end(), hops.begin(), hops.end());
}

Traffic::Route Traffic::route(const PeCoord& pe, const MemoryCoord& to, Direction direction) const {
  const bool toward = direction == Direction::write;  // data along the request's route
  const double port = t_.cube.router.bw_gbps;
  Route r;
  r.latency_ns = router_pass_ns_;  // the PE's own router
  r.hops.push_back(
      {"pe_port",
       fmt::format("sip{}.cube{}.pe{}.{}", pe.sip, pe.cube, pe.pe, toward ? "out" : "in"), port});
  if (pe.sip == to.sip) {
    mesh(pe.sip, pe.cube, to.cube, toward, r);
  } else {
    const auto w = static_cast<std::uint32_t>(t_.sip.cube_mesh.w);
    const auto io = static_cast<std::uint32_t>(t_.sip.io_cube.y) * w +
                    static_cast<std::uint32_t>(t_.sip.io_cube.x);
    const auto n = static_cast<std::uint32_t>(t_.system.sips.count);
    mesh(pe.sip, pe.cube, io, toward, r);
    std::vector<std::pair<std::uint32_t, std::uint32_t>> links;  // request direction
    const std::string& kind = t_.system.inter_sip.topology;
    if (kind == "ring") {
      const std::uint32_t ahead = (to.sip + n - pe.sip) % n;
      const bool next = ahead <= n / 2;
      for (std::uint32_t s = pe.sip; s != to.sip; s = next ? (s + 1) % n : (s + n - 1) % n) {
        links.emplace_back(s, next ? (s + 1) % n : (s + n - 1) % n);
      }
    } else if (kind == "switch") {
      links = {{pe.sip, n}, {n, to.sip}};  // n stands for the switch
    } else {
      links = {{pe.sip, to.sip}};
    }
    for (const auto& [a, b] : links) {
      const auto name = [n](std::uint32_t s) {
        return s == n ? std::string("switch") : fmt::format("sip{}", s);
      };
      r.hops.push_back({"inter_sip_link",
                        toward ? name(a) + "->" + name(b) : name(b) + "->" + name(a),
                        t_.system.inter_sip.link.bw_gbps});
      r.latency_ns += t_.system.inter_sip.link.latency_ns;
    }
    r.latency_ns += router_pass_ns_;  // the target I/O cube's router
    mesh(to.sip, io, to.cube, toward, r);
  }
  const std::string memory = to.sram ? fmt::format("sip{}.cube{}.sram", to.sip, to.cube)
                                     : fmt::format("sip{}.cube{}.hbm{}", to.sip, to.cube, to.unit);
  const std::string kind = to.sram ? "sram" : "hbm";
  r.hops.push_back({kind + "_port", memory + (toward ? ".in" : ".out"), port});
  // One port, both ways.
  r.hops.push_back({to.sram ? "sram" : "hbm_slice", memory,
                    to.sram ? t_.cube.sram.bw_gbps : t_.cube.hbm_slice.bw_gbps});
  return r;
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
    const MemoryCoord memory{ms, mc, mu, in_sram};
    const Route r = route({ps, pc, pp}, memory, direction);
    const Hop* narrowest = &r.hops.front();
    for (const Hop& h : r.hops) {
      auto& entry = ns[h.term + " " + h.name];
      entry.first = h.term;
      entry.second += bytes / h.gbps;
      if (h.gbps < narrowest->gbps) narrowest = &h;
    }
    // The flow alone: its path and its memory's latency (a read's request goes there
    // first), then its bytes at its narrowest resource.
    const double latency = (direction == Direction::read ? 2 : 1) * r.latency_ns +
                           (in_sram ? t_.cube.sram.latency_ns : t_.cube.hbm_slice.latency_ns);
    b.add(narrowest->term + " + latency", latency + bytes / narrowest->gbps);
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

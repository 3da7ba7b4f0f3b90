#include "runtime/ccl/collective_fabric.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace kb::runtime {

FabricPath fabric_path(const platform::Topology& t, const PeCoord& a, const PeCoord& b) {
  const auto w = static_cast<std::int64_t>(t.sip.cube_mesh.w);
  const double pass =
      static_cast<double>(t.cube.router.hop_latency_cycles) / t.cube.router.freq_ghz;
  auto hops = [w](std::int64_t c1, std::int64_t c2) {
    return std::abs(c1 % w - c2 % w) + std::abs(c1 / w - c2 / w);
  };
  double beta = t.cube.router.bw_gbps;
  std::int64_t mesh = 0, passes = 0;
  double sip_ns = 0;
  if (a.sip == b.sip) {
    mesh = hops(a.cube, b.cube);
    passes = mesh + 1;
  } else {
    const std::int64_t io = t.sip.io_cube.y * w + t.sip.io_cube.x;
    mesh = hops(a.cube, io) + hops(io, b.cube);
    passes = mesh + 2;
    const auto n = t.system.sips.count;
    const std::int64_t ahead = (static_cast<std::int64_t>(b.sip) - a.sip + n) % n;
    const std::int64_t links = t.system.inter_sip.topology == "ring" ? std::min(ahead, n - ahead)
                               : t.system.inter_sip.topology == "switch" ? 2
                                                                         : 1;
    sip_ns = static_cast<double>(links) * t.system.inter_sip.link.latency_ns;
    beta = std::min(beta, t.system.inter_sip.link.bw_gbps);
  }
  if (mesh > 0) beta = std::min(beta, t.sip.mesh_link.bw_gbps);
  return {static_cast<double>(passes) * pass +
              static_cast<double>(mesh) * t.sip.mesh_link.latency_ns + sip_ns,
          beta};
}

CollectiveFabric collective_fabric(const platform::Topology& t, const IpcqPlan& plan) {
  CollectiveFabric f;
  f.world = static_cast<double>(plan.world_size);
  f.port_gbps = t.cube.router.bw_gbps;
  double total = 0, slowest = 0;
  f.nearest_alpha_ns = INFINITY;
  for (std::uint32_t r = 0; r < plan.world_size; ++r) {
    for (std::uint32_t n : plan.neighbours[r]) {
      const FabricPath p = fabric_path(t, plan.rank_to_pe[r], plan.rank_to_pe[n]);
      f.worst.alpha_ns = std::max(f.worst.alpha_ns, p.alpha_ns);
      f.worst.beta_gbps = std::min(f.worst.beta_gbps, p.beta_gbps);
      f.nearest_alpha_ns = std::min(f.nearest_alpha_ns, p.alpha_ns);
    }
    const double edge =
        fabric_path(t, plan.rank_to_pe[r], plan.rank_to_pe[(r + 1) % plan.world_size]).alpha_ns;
    total += edge;
    slowest = std::max(slowest, edge);
  }
  if (!std::isfinite(f.nearest_alpha_ns)) f.nearest_alpha_ns = 0;
  // A chunk crosses W - 1 consecutive edges: at least the ring's total less its slowest.
  f.ring_alpha_ns = plan.world_size > 1 ? total - slowest : 0;
  f.ring_rtt_ns = 2 * slowest;  // an entry's way there, then its credit's way back
  const auto& ipcq = t.cube.pe_template.components.pe_ipcq.attrs;
  f.ipcq_depth = static_cast<double>(ipcq.depth);
  f.entry_bytes = static_cast<double>(ipcq.entry_bytes);
  return f;
}

double bus_factor(Collective kind, double world) {
  switch (kind) {
    case Collective::all_reduce: return 2 * (world - 1) / world;
    case Collective::reduce_scatter:
    case Collective::all_gather:
    case Collective::all_to_all: return (world - 1) / world;
    default: return 1;
  }
}

double inter_sip_egress_ns(const platform::Topology& t, Collective kind, double sip_bytes,
                           double sips) {
  const std::string& topology = t.system.inter_sip.topology;
  const double links = topology == "switch"
                           ? 1.0
                           : std::min(topology == "ring" ? 2.0 : sips - 1,
                                      static_cast<double>(t.system.sips.count) - 1);
  return bus_factor(kind, sips) * sip_bytes / (links * t.system.inter_sip.link.bw_gbps);
}

}  // namespace kb::runtime

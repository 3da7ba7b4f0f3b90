#include "runtime/ccl/collective_fabric.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace kb::runtime {

namespace {
FabricPath path_between(const models::Fabric& f, const PeCoord& a, const PeCoord& b) {
  using models::EndpointKind;
  const models::PathFigures p = models::path_figures(f, {EndpointKind::pe, a.sip, a.cube, a.pe},
                                                     {EndpointKind::pe, b.sip, b.cube, b.pe});
  return {p.latency_ns, p.narrowest_gbps};
}
}  // namespace

FabricPath fabric_path(const platform::Topology& t, const PeCoord& a, const PeCoord& b) {
  return path_between(t.fabric(), a, b);
}

CollectiveFabric collective_fabric(const platform::Topology& t, const IpcqPlan& plan) {
  CollectiveFabric f;
  const models::Fabric fabric = t.fabric();  // once, for every pair of ranks below
  f.world = static_cast<double>(plan.world_size);
  f.port_gbps = t.cube.router.bw_gbps;
  double total = 0, slowest = 0;
  f.nearest_alpha_ns = INFINITY;
  for (std::uint32_t r = 0; r < plan.world_size; ++r) {
    for (std::uint32_t n : plan.neighbours[r]) {
      const FabricPath p = path_between(fabric, plan.rank_to_pe[r], plan.rank_to_pe[n]);
      f.worst.alpha_ns = std::max(f.worst.alpha_ns, p.alpha_ns);
      f.worst.beta_gbps = std::min(f.worst.beta_gbps, p.beta_gbps);
      f.nearest_alpha_ns = std::min(f.nearest_alpha_ns, p.alpha_ns);
    }
    const double edge =
        path_between(fabric, plan.rank_to_pe[r], plan.rank_to_pe[(r + 1) % plan.world_size])
            .alpha_ns;
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
  for (std::size_t l = 0; l + 1 < plan.sip_levels.size(); ++l)
    f.outer_level_share /= plan.sip_levels[l];
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
  return bus_factor(kind, sips) * sip_bytes / models::sip_egress_gbps(t.fabric(), sips - 1);
}

}  // namespace kb::runtime

#pragma once
// What a collective's alpha-beta bound knows of the machine under an install plan
// (docs/collectives.md derives each figure): the latency and narrowest bandwidth between
// the ranks that exchange data, a ring's latency, and the PE port every rank's traffic
// shares with its HBM reads and writes.

#include "platform/topology/topology.h"
#include "runtime/ccl/install_plan.h"
#include "runtime/ccl/rank_comm.h"

#include <cmath>

namespace kb::runtime {

// One-way latency and bottleneck bandwidth of the fabric's route between two PEs
// (models/interconnect/fabric.h): router passes, mesh links over XY hops, and for another
// SIP the way to and from the I/O cubes and the inter-SIP links.
struct FabricPath {
  double alpha_ns = 0;
  double beta_gbps = INFINITY;
};

FabricPath fabric_path(const platform::Topology& t, const PeCoord& a, const PeCoord& b);

struct CollectiveFabric {
  double world = 1;             // ranks
  FabricPath worst;             // the worst alpha and narrowest beta over exchanging pairs
  double nearest_alpha_ns = 0;  // the shortest one-way latency between exchanging ranks
  double ring_alpha_ns = 0;     // a ring chunk's path: W - 1 consecutive edges
  double ring_rtt_ns = 0;       // there and back over the ring's slowest edge: a credit's loop
  double port_gbps = 0;         // a PE's NoC port, each way
  double ipcq_depth = 1;        // entries a sender may have in flight towards one neighbour
  double entry_bytes = 1;       // bytes an entry carries at most
  // The least share of a buffer an algorithm that splits it level by level over the
  // inter-SIP network sends between two SIPs of the outermost level: 1 / the product of the
  // inner levels' sizes (1 for one level).
  double outer_level_share = 1;

  double log2_world() const { return std::ceil(std::log2(std::max(world, 1.0))); }
  double spread() const { return (world - 1) / world; }
  // One reduce-scatter or all-gather phase over `bytes`: the rank's port carries its input
  // or result as well as the exchanged part; the narrowest path carries the exchanged part.
  double phase_ns(double bytes) const {
    return std::max((1 + spread()) * bytes / port_gbps, spread() * bytes / worst.beta_gbps);
  }
};

CollectiveFabric collective_fabric(const platform::Topology& t, const IpcqPlan& plan);

// nccl-tests' bus factor: the bytes each rank must move per byte of the size nccl-tests
// reports, over `world` ranks (2 (W - 1) / W for all-reduce, (W - 1) / W for the gathers,
// scatters and all-to-all, 1 for broadcast and barrier).
double bus_factor(Collective kind, double world);

// The least time each of `sips` SIPs takes to send its bus bytes of `sip_bytes` (the
// nccl-tests size of the SIP's whole buffer) over the inter-SIP links its traffic leaves
// by (models::sip_egress_gbps: on each network level one into a switch, two on a ring,
// one per other SIP fully connected).
double inter_sip_egress_ns(const platform::Topology& t, Collective kind, double sip_bytes,
                           double sips);

}  // namespace kb::runtime

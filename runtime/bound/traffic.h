#pragma once
// The work and data movement of a run, described by who moves how many bytes between which
// PE and which memory, and how much each PE computes; turned into a Bound whose terms use
// the same routes and parameters as the models (docs/bounds.md derives each one):
//
//   compute          the busiest PE's MACs, vector passes and dequantised weights at its
//                    core's rates
//   pe_port          the busiest PE's router port, each way (router bw_gbps)
//   hbm_port         the router port of the busiest HBM slice, one direction
//   hbm_slice        the busiest HBM slice: all bytes of the PEs that share it (slice bw)
//   sram_port, sram  the same for a cube's SRAM, which all its PEs share
//   tcm              the busiest PE's own TCM port (reads and writes share it)
//   mesh_link L      the busiest mesh link direction on the XY routes used, at its bandwidth
//                    (the router ports it joins are as wide as the link)
//   inter_sip_link   the busiest inter-SIP link direction on the routes used
//   X + latency      the longest single flow (one PE to one slice, one way): its path
//                    latency (a read's round trip plus the memory latency) plus its bytes
//                    at its narrowest resource X
//
// Each term is a true lower bound: bytes that must cross a resource at its bandwidth, or
// work a core must do at its peak. The resources a flow crosses are the fabric's route
// (models/interconnect/fabric.h), the one the routers take: data a PE reads travels from
// the memory to the PE along the reverse of the PE's route to it; data it writes along it.

#include "platform/topology/topology.h"
#include "runtime/bound/bound.h"
#include "runtime/bound/route_cache.h"
#include "runtime/memory/pe_memory_allocator.h"
#include "runtime/tensor/dtype.h"

#include <map>
#include <memory>
#include <string>
#include <tuple>

namespace kb::runtime {

// A memory: HBM slice `unit` of cube `cube` of SIP `sip`, or that cube's SRAM.
struct MemoryCoord {
  std::uint32_t sip = 0, cube = 0, unit = 0;
  bool sram = false;
};

enum class Direction { read, write };

class Traffic {
 public:
  explicit Traffic(const platform::Topology& topology);
  // With routes kept across Traffics of the same machine (`routes` of `topology`).
  Traffic(const platform::Topology& topology, std::shared_ptr<RouteCache> routes);

  // PE `pe` multiplies-and-accumulates `macs` with `inputs` operands.
  void macs(const PeCoord& pe, double macs, DType inputs);
  // PE `pe` makes `passes` vector passes over `elements` elements.
  void vector(const PeCoord& pe, double elements, double passes);
  // PE `pe` dequantises `weights` quantised weights (at its core's dequant_per_cycle).
  void dequant(const PeCoord& pe, double weights);
  // PE `pe` moves `bytes` through its own TCM (staged in and read back count twice).
  void tcm(const PeCoord& pe, double bytes);
  // PE `pe` reads `bytes` from (or writes them to) memory `memory`.
  void access(const PeCoord& pe, const MemoryCoord& memory, double bytes, Direction direction);

  // The terms of everything described so far.
  Bound bound() const;

 private:
  using Flow = std::tuple<std::uint32_t, std::uint32_t, std::uint32_t,        // PE
                          std::uint32_t, std::uint32_t, std::uint32_t, bool,  // memory
                          Direction>;

  const platform::Topology& t_;
  std::shared_ptr<RouteCache> routes_;  // the routes the models take
  std::map<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>, double> cycles_;  // per PE
  std::map<Flow, double> flows_;                                                      // bytes
  std::map<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>, double> tcm_;     // per PE
};

}  // namespace kb::runtime

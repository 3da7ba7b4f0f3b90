#pragma once
// A group of PEs' peak rates, from the topology keys: the FLOPs their cores can do (two per
// MAC) and the bytes per ns that can reach them from HBM (their router ports, or the HBM
// slices behind them if narrower). The basis of MFU and MBU, and of estimates from shapes;
// and what a launch costs a workload node before its kernel can run.

#include "platform/topology/topology.h"
#include "runtime/bound/bound.h"
#include "runtime/tensor/dtype.h"

namespace kb::runtime {

struct Peaks {
  double flops_per_ns = 0;
  double bytes_per_ns = 0;
};

// `pes` PEs of one or more whole cubes, or of part of one (at least a slice's bandwidth).
Peaks peaks_of(const platform::Topology& t, std::int64_t pes, DType dtype);

// A launch reaches the PEs over the host link and the M_CPU before its kernel can start,
// and its completion returns over the host link after it ends: the least a launched node
// costs beyond its kernel.
double launch_round_trip_ns(const platform::Topology& t);
// A launched node's bound: the launch's round trip, then `work` (Bound::serial).
Bound launched(const platform::Topology& t, const Bound& work);

}  // namespace kb::runtime

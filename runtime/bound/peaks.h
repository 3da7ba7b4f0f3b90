#pragma once
// A group of PEs' peak rates, from the topology keys: the FLOPs their cores can do (two per
// MAC) and the bytes per ns that can reach them from HBM (their router ports, or the HBM
// slices behind them if narrower). The basis of MFU and MBU, and of estimates from shapes;
// and what a launch costs a workload node before its kernel can run.

#include "platform/topology/topology.h"
#include "runtime/bound/bound.h"
#include "runtime/requests/launch_mode.h"
#include "runtime/tensor/dtype.h"

namespace kb::runtime {

struct Peaks {
  double flops_per_ns = 0;
  double bytes_per_ns = 0;
};

// `pes` PEs of one or more whole cubes, or of part of one (at least a slice's bandwidth).
Peaks peaks_of(const platform::Topology& t, std::int64_t pes, DType dtype);

// The least a launched node costs beyond its kernel, by who launches it. From the host: the
// launch reaches the PEs over the host link and the M_CPU before its kernel can start, and
// its completion returns over the host link after it ends. From a graph dispatcher: its
// dispatch and the M_CPU (the NoC's trips left out: a floor). Resident kernels: nothing.
double launch_round_trip_ns(const platform::Topology& t, LaunchMode mode = LaunchMode::host);
// A launched node's bound: the launch's round trip, then `work` (Bound::serial).
Bound launched(const platform::Topology& t, const Bound& work, LaunchMode mode = LaunchMode::host);

}  // namespace kb::runtime

#pragma once
// The schema row of a component attribute, declared beside its default in the component's
// *_attrs.h: its key, unit, physical range, meaning and the member it is. The topology's
// schema (platform/topology/schema.cpp) gathers each component's rows under the
// component's place in the topology; a new attribute is its member and its row, nothing
// else. Without SystemC: the topology loader builds without the kernel.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace kb::models {

// Every number is bounded both ways.
struct AttrRange {
  double min = 0.0;
  bool min_exclusive = false;
  double max = 0.0;
};

// Physical ranges, wide enough for any machine worth modelling and narrow enough that no
// single transfer, cycle count or latency comes near 2^64 ps (213 days): the largest
// memory (2^36 bytes) through the slowest port takes 7e16 ps (docs/topology-schema.md).
constexpr AttrRange kLatencyNs{0.0, false, 1e6};        // up to 1 ms
constexpr AttrRange kBandwidthGbps{1e-3, false, 1e6};   // 1 MB/s to 1 PB/s
constexpr AttrRange kFrequencyGhz{1e-3, false, 100.0};  // 1 MHz to 100 GHz
constexpr AttrRange kCycles{0.0, false, 1e6};
constexpr AttrRange kCapacity{0.0, true, 65536.0};  // GiB or MiB; the address map bounds it too
constexpr AttrRange kReserved{0.0, false, 65536.0};
constexpr AttrRange kQuantumNs{0.0, true, 1e6};
constexpr AttrRange kMacsPerCycle{1.0, false, 16777216.0};  // 2^24
constexpr AttrRange kLanes{1.0, false, 1048576.0};          // 2^20
constexpr AttrRange kTlbEntries{1.0, false, 1048576.0};
constexpr AttrRange kPageSize{256.0, false, 1073741824.0};  // 256 B to 1 GiB
constexpr AttrRange kQueueDepth{1.0, false, 65536.0};
// At least the largest element (4 bytes), so that one always fits a queue entry.
constexpr AttrRange kEntryBytes{4.0, false, 1048576.0};

// Energies, powers and areas (docs/energy.md): none reaches 1 J, 1 kW or 10^4 mm^2 per action
// or component.
constexpr AttrRange kPicojoules{0.0, false, 1e12};
constexpr AttrRange kWatts{0.0, false, 1e3};
constexpr AttrRange kSquareMm{0.0, false, 1e4};

// What changing an attribute changes: simulated times, only how much fits, or only the
// energy, power and area figures.
enum class AttrEffect { timing, capacity, energy };

template <class Attrs>
struct AttrRow {
  std::string key;  // under the component: "freq_ghz"
  std::string unit;
  AttrRange range;
  std::string description;
  std::variant<double Attrs::*, std::int64_t Attrs::*> member;
  AttrEffect effect = AttrEffect::timing;
};

}  // namespace kb::models

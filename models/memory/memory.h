#pragma once
// A memory target: an HBM slice, a cube SRAM or a PE's TCM. One port of `bw_gbps` shared
// by all its sockets, an access latency, and sparse functional storage.
//
// Timing of an access that arrives at t (now + delay) for n bytes:
//   start = the port's first idle gap at or after t that fits n / bw   (Resource)
//   write: done at start + latency + max(tail lag, n / bw)    (the data must all arrive)
//   read:  data head leaves at start + latency, tail lag n / bw (the path back adds its own)

#include "models/common/component.h"
#include "models/common/port_attrs.h"
#include "models/common/target_port.h"
#include "models/memory/sparse_memory.h"
#include "models/protocol/transaction.h"

namespace kb::models {

// Where a memory sits and how it is timed.
struct MemoryGeometry {
  std::uint64_t base = 0;  // encoded PhysAddr of byte 0
  std::uint64_t size = 0;
  double bw_gbps = 0.0;
  Picoseconds latency = 0;
  // Its energy (docs/energy.md): per byte read and written, and its static power.
  EnergyClass energy_class = EnergyClass::hbm;
  double read_pj_per_byte = 0.0;
  double write_pj_per_byte = 0.0;
  double static_w = 0.0;
};

// A 2-D burst (TransferExtension::burst_rows > 1) reads or writes its rows at the burst
// stride; it is timed as one transfer of all its bytes.
class Memory : public Component {
 public:
  Memory(const sc_core::sc_module_name& name, const MemoryGeometry& geometry);

  TargetPort<Memory> target;

  SparseMemory& storage() { return storage_; }
  std::uint64_t base() const { return base_; }
  const Resource& port() const { return port_; }

 private:
  void b_transport(int id, tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
  unsigned transport_dbg(int id, tlm::tlm_generic_payload& payload);

  std::uint64_t base_;
  Picoseconds latency_;
  Resource& port_;
  EnergyAccount& energy_;
  double read_pj_per_byte_;
  double write_pj_per_byte_;
  SparseMemory storage_;
};

}  // namespace kb::models

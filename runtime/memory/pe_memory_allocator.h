#pragma once
// The physical memory one PE hands out: its partition of an HBM slice and its TCM above
// the scheduler-reserved part (docs/addressing.md).
//
// HBM: PE p uses slice p mod S (S slices per cube). The PEs sharing a slice split it into
// equal page-aligned partitions, in PE order. With more slices than PEs, the slices
// beyond the PE count are not handed out by any PE allocator.

#include "models/protocol/phys_addr.h"
#include "platform/topology/topology.h"
#include "runtime/memory/range_allocator.h"

namespace kb::runtime {

struct PeCoord {
  std::uint32_t sip = 0;
  std::uint32_t cube = 0;
  std::uint32_t pe = 0;
};

struct HbmPartition {
  std::uint32_t slice = 0;
  std::uint64_t offset = 0;  // within the slice
  std::uint64_t size = 0;
};

HbmPartition hbm_partition(const platform::Topology& topology, std::uint32_t pe);

class PeMemoryAllocator {
 public:
  PeMemoryAllocator(const platform::Topology& topology, PeCoord pe);

  models::PhysAddr allocate_hbm(std::uint64_t nbytes);
  void free_hbm(const models::PhysAddr& address, std::uint64_t nbytes);
  models::PhysAddr allocate_tcm(std::uint64_t nbytes);
  void free_tcm(const models::PhysAddr& address, std::uint64_t nbytes);

  PeCoord coord() const { return coord_; }
  const RangeAllocator& hbm() const { return hbm_; }
  const RangeAllocator& tcm() const { return tcm_; }

  static constexpr std::uint64_t kTcmAlignment = 64;

 private:
  PeMemoryAllocator(const platform::Topology& topology, PeCoord pe, const HbmPartition& partition);
  models::PhysAddr address(models::Region region, std::uint32_t unit, std::uint64_t offset) const;
  std::uint64_t owned_offset(const models::PhysAddr& address, models::Region region,
                             std::uint32_t unit, std::uint64_t nbytes) const;

  PeCoord coord_;
  std::uint32_t slice_;
  RangeAllocator hbm_;  // offsets within the slice
  RangeAllocator tcm_;  // offsets within the TCM
};

}  // namespace kb::runtime

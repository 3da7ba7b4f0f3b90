#include "runtime/memory/pe_memory_allocator.h"

#include <fmt/format.h>

namespace kb::runtime {

using models::PhysAddr;
using models::Region;

HbmPartition hbm_partition(const platform::Topology& topology, std::uint32_t pe) {
  const auto slices = static_cast<std::uint32_t>(topology.cube.memory_map.hbm_slices_per_cube);
  const auto pes = static_cast<std::uint32_t>(topology.pes_per_cube());
  const std::uint32_t slice = pe % slices;
  // PEs slice, slice + S, slice + 2S, ... share this slice.
  const std::uint32_t sharers = (pes - slice + slices - 1) / slices;
  const std::uint64_t page = topology.page_size();
  const std::uint64_t size = topology.hbm_bytes_per_slice() / sharers / page * page;
  return {slice, (pe / slices) * size, size};
}

PeMemoryAllocator::PeMemoryAllocator(const platform::Topology& topology, PeCoord pe)
    : PeMemoryAllocator(topology, pe, hbm_partition(topology, pe.pe)) {}

PeMemoryAllocator::PeMemoryAllocator(const platform::Topology& topology, PeCoord pe,
                                     const HbmPartition& partition)
    : coord_(pe),
      slice_(partition.slice),
      hbm_(fmt::format("HBM of sip{}.cube{}.pe{} (slice {})", pe.sip, pe.cube, pe.pe, slice_),
           partition.offset, partition.size, topology.page_size()),
      tcm_(fmt::format("TCM of sip{}.cube{}.pe{}", pe.sip, pe.cube, pe.pe),
           topology.tcm_reserved_bytes(),
           topology.tcm_bytes_per_pe() - topology.tcm_reserved_bytes(), kTcmAlignment) {}

PhysAddr PeMemoryAllocator::address(Region region, std::uint32_t unit, std::uint64_t offset) const {
  return PhysAddr::of(coord_.sip, coord_.cube, region, unit, offset);
}

std::uint64_t PeMemoryAllocator::owned_offset(const PhysAddr& a, Region region, std::uint32_t unit,
                                              std::uint64_t nbytes) const {
  if (a.rack != 0 || a.sip != coord_.sip || a.cube != coord_.cube || a.region != region ||
      a.unit != unit) {
    throw AllocationError(
        fmt::format("free of {} ({} bytes) at the allocator of "
                    "sip{}.cube{}.pe{}, which does not own that address",
                    a.to_string(), nbytes, coord_.sip, coord_.cube, coord_.pe));
  }
  return a.offset;
}

PhysAddr PeMemoryAllocator::allocate_hbm(std::uint64_t nbytes) {
  return address(Region::hbm, slice_, hbm_.allocate(nbytes));
}

void PeMemoryAllocator::free_hbm(const PhysAddr& a, std::uint64_t nbytes) {
  hbm_.free(owned_offset(a, Region::hbm, slice_, nbytes), nbytes);
}

PhysAddr PeMemoryAllocator::allocate_tcm(std::uint64_t nbytes) {
  return address(Region::tcm, coord_.pe, tcm_.allocate(nbytes));
}

void PeMemoryAllocator::free_tcm(const PhysAddr& a, std::uint64_t nbytes) {
  tcm_.free(owned_offset(a, Region::tcm, coord_.pe, nbytes), nbytes);
}

}  // namespace kb::runtime

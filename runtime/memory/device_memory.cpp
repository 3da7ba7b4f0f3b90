#include "runtime/memory/device_memory.h"

#include <fmt/format.h>

#include <set>
#include <stdexcept>
#include <tuple>

namespace kb::runtime {

DeviceMemory::DeviceMemory(const platform::Topology& topology, const MachineShape& machine)
    : topology_(topology),
      machine_(machine),
      va_(VirtualAllocator::size_for(topology), topology.page_size()) {}

PeMemoryAllocator& DeviceMemory::pe(const PeCoord& pe) {
  const std::uint64_t global =
      (static_cast<std::uint64_t>(pe.sip) * static_cast<std::uint64_t>(machine_.cubes_per_sip) +
       pe.cube) *
          static_cast<std::uint64_t>(machine_.pes_per_cube) +
      pe.pe;
  auto& slot = pes_[global];
  if (!slot) slot = std::make_unique<PeMemoryAllocator>(topology_, pe);
  return *slot;
}

RangeAllocator& DeviceMemory::sram(std::uint32_t sip, std::uint32_t cube) {
  auto& slot = sram_[{sip, cube}];
  if (!slot) {
    slot = std::make_unique<RangeAllocator>(fmt::format("SRAM of sip{}.cube{}", sip, cube), 0,
                                            topology_.sram_bytes_per_cube(), 64);
  }
  return *slot;
}

DeviceMemory::Allocation DeviceMemory::allocate(const Placement& placement, MemoryKind memory) {
  Allocation a;
  a.va_base = va_.allocate(placement.nbytes());
  try {
    // In SRAM, the PEs of a cube share one copy of each block: their shards' PA is one.
    std::map<std::tuple<std::uint32_t, std::uint32_t, std::uint64_t>, models::PhysAddr> shared;
    for (const Shard& s : placement.shards) {
      if (memory == MemoryKind::sram) {
        auto [it, first] = shared.try_emplace({s.sip, s.cube, s.block});
        if (first) {
          it->second = models::PhysAddr::of(s.sip, s.cube, models::Region::sram, 0,
                                            sram(s.sip, s.cube).allocate(s.nbytes));
        }
        a.shards.push_back({s, it->second});
      } else {
        a.shards.push_back({s, pe({s.sip, s.cube, s.pe}).allocate_hbm(s.nbytes)});
      }
    }
  } catch (...) {
    release(a.va_base, placement.nbytes(), a.shards);
    throw;
  }
  return a;
}

std::shared_ptr<Tensor::State> DeviceMemory::place(const std::string& name,
                                                   const std::vector<std::int64_t>& shape,
                                                   DType dtype, const DPPolicy& dp,
                                                   std::optional<std::int64_t> device) {
  auto state = std::make_shared<Tensor::State>(dp);
  state->name = name;
  state->shape = shape;
  state->dtype = dtype;
  state->placement = resolve_placement(dp, shape, dtype, machine_, device);
  if (dp.memory == MemoryKind::sram && dp.pe != Split::replicate) {
    throw std::invalid_argument(fmt::format(
        "{}: memory=sram keeps one copy per cube for all its PEs, so the PE level must be "
        "replicate, not {}",
        dp.to_string(), runtime::to_string(dp.pe)));
  }
  Allocation storage = allocate(state->placement, dp.memory);
  state->va_base = storage.va_base;
  state->shards = std::move(storage.shards);
  return state;
}

void DeviceMemory::release(std::uint64_t va_base, std::uint64_t nbytes,
                           const std::vector<DeviceShard>& shards) {
  for (const DeviceShard* s : distinct_storage(shards)) {
    if (s->pa.region == models::Region::sram) {
      sram(s->sip, s->cube).free(s->pa.offset, s->nbytes);
    } else {
      pe({s->sip, s->cube, s->pe}).free_hbm(s->pa, s->nbytes);
    }
  }
  va_.free(va_base, nbytes);
}

std::vector<const DeviceShard*> DeviceMemory::distinct_storage(
    const std::vector<DeviceShard>& shards) {
  std::vector<const DeviceShard*> out;
  std::set<std::uint64_t> seen;
  for (const DeviceShard& s : shards) {
    if (seen.insert(s.pa.encode()).second) out.push_back(&s);
  }
  return out;
}

}  // namespace kb::runtime

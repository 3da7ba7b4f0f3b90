#define BOOST_TEST_MODULE device_memory
// A context's device memory without a simulation: shards get storage where their PEs'
// allocators say (HBM in the PE's slice, SRAM once per cube), and a release or a failed
// allocation leaves every allocator as it was.
#include "platform/topology/loader.h"
#include "runtime/memory/device_memory.h"

#include <boost/test/unit_test.hpp>

#include <set>

namespace kp = kb::platform;
using kb::models::Region;
using namespace kb::runtime;

namespace {

constexpr Split R = Split::replicate, Row = Split::row_wise, Col = Split::column_wise;

std::uint64_t live(DeviceMemory& memory, const MachineShape& m) {
  std::uint64_t n = 0;
  for (std::uint32_t c = 0; c < m.cubes_per_sip; ++c)
    for (std::uint32_t p = 0; p < m.pes_per_cube; ++p)
      n += memory.pe({0, c, p}).hbm().live_allocations();
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(hbm_shards_live_in_their_pes_slices_and_go_back_on_release) {
  const kp::Topology t = kp::load_default_topology();
  const MachineShape m = MachineShape::of(t);
  DeviceMemory memory(t, m);
  const std::uint64_t va_free = memory.virtual_space().free_bytes();
  const Placement p = resolve_placement({R, Row, Col}, {128, 64}, DType::f32, m, std::nullopt);
  const DeviceMemory::Allocation a = memory.allocate(p, MemoryKind::hbm);
  BOOST_TEST(a.va_base % t.page_size() == 0u);
  BOOST_TEST(a.shards.size() == p.shards.size());
  std::set<std::uint64_t> addresses;
  for (const DeviceShard& s : a.shards) {
    BOOST_TEST((s.pa.region == Region::hbm));
    BOOST_TEST(s.pa.cube == s.cube);
    BOOST_TEST(s.pa.unit == s.pe % 8u);
    addresses.insert(s.pa.encode());
  }
  BOOST_TEST(addresses.size() == a.shards.size());
  BOOST_TEST(live(memory, m) == a.shards.size());
  memory.release(a.va_base, p.nbytes(), a.shards);
  BOOST_TEST(live(memory, m) == 0u);
  BOOST_TEST(memory.virtual_space().free_bytes() == va_free);
  BOOST_TEST(memory.allocate(p, MemoryKind::hbm).va_base == a.va_base);  // the range again
}

BOOST_AUTO_TEST_CASE(sram_blocks_are_one_copy_per_cube) {
  const kp::Topology t = kp::load_default_topology();
  const MachineShape m = MachineShape::of(t);
  DeviceMemory memory(t, m);
  const Placement p = resolve_placement({R, Row, R}, {16 * 4, 32}, DType::f16, m, std::nullopt);
  const DeviceMemory::Allocation a = memory.allocate(p, MemoryKind::sram);
  BOOST_TEST(a.shards.size() == 16u * 8u);
  const auto distinct = DeviceMemory::distinct_storage(a.shards);
  BOOST_TEST(distinct.size() == 16u);
  for (const DeviceShard* s : distinct) BOOST_TEST((s->pa.region == Region::sram));
  const std::uint64_t sram_free = memory.sram(0, 3).free_bytes();
  memory.release(a.va_base, p.nbytes(), a.shards);
  BOOST_TEST(memory.sram(0, 3).free_bytes() == sram_free + 4 * 32 * 2);
}

BOOST_AUTO_TEST_CASE(an_allocation_that_does_not_fit_takes_nothing) {
  const kp::Topology t = kp::load_default_topology();
  const MachineShape m = MachineShape::of(t);
  DeviceMemory memory(t, m);
  // The last PE has 64 KiB left; every other PE's 128 KiB shard fits before its own fails.
  PeMemoryAllocator& last = memory.pe({0, 15, 7});
  last.allocate_hbm(last.hbm().free_bytes() - (64 << 10));
  const std::uint64_t va_free = memory.virtual_space().free_bytes();
  const Placement p =
      resolve_placement({R, Row, Col}, {16 * 256, 8 * 128}, DType::f32, m, std::nullopt);
  BOOST_CHECK_THROW(memory.allocate(p, MemoryKind::hbm), std::exception);
  BOOST_TEST(live(memory, m) == 1u);  // the filler alone
  BOOST_TEST(memory.virtual_space().free_bytes() == va_free);
}

// place() gives a tensor's state with its placement and storage; an SRAM tensor split over
// PEs is refused before anything is taken.
BOOST_AUTO_TEST_CASE(a_placed_tensor_has_its_shards_and_an_sram_split_over_pes_is_refused) {
  const kp::Topology t = kp::load_default_topology();
  const MachineShape m = MachineShape::of(t);
  DeviceMemory memory(t, m);
  const auto state = memory.place("x", {128, 64}, DType::f16, {R, Row, Col}, std::nullopt);
  BOOST_TEST(state->name == "x");
  BOOST_TEST(state->shards.size() == state->placement.shards.size());
  BOOST_TEST(state->placement.nbytes() == 128u * 64u * 2u);
  BOOST_TEST(live(memory, m) == state->shards.size());
  const std::uint64_t va_free = memory.virtual_space().free_bytes();
  BOOST_CHECK_EXCEPTION(memory.place("y", {128, 64}, DType::f16,
                                     DPPolicy{R, Row, Row, std::nullopt, std::nullopt, std::nullopt,
                                              MemoryKind::sram},
                                     std::nullopt),
                        std::invalid_argument, [](const std::invalid_argument& e) {
                          return std::string(e.what()).find(
                                     "memory=sram keeps one copy per cube") != std::string::npos;
                        });
  BOOST_TEST(memory.virtual_space().free_bytes() == va_free);
}

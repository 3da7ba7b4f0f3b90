#define BOOST_TEST_MODULE pe_memory_allocator
#include "platform/topology/loader.h"
#include "runtime/memory/pe_memory_allocator.h"

#include <boost/test/unit_test.hpp>

#include <set>

namespace kp = kb::platform;
using kb::models::PhysAddr;
using kb::models::Region;
using namespace kb::runtime;

BOOST_AUTO_TEST_CASE(one_slice_per_pe_on_the_default_topology) {
  const kp::Topology t = kp::load_default_topology();
  for (std::uint32_t pe = 0; pe < 8; ++pe) {
    const HbmPartition p = hbm_partition(t, pe);
    BOOST_TEST(p.slice == pe);
    BOOST_TEST(p.offset == 0u);
    BOOST_TEST(p.size == 6ULL << 30);
  }
}

BOOST_AUTO_TEST_CASE(pes_sharing_a_slice_get_equal_disjoint_partitions) {
  const kp::Topology t = kp::load_default_topology({"cube.memory_map.hbm_slices_per_cube=3"});
  // 8 PEs on 3 slices: slice 0 serves PEs 0, 3, 6; slice 1: 1, 4, 7; slice 2: 2, 5.
  const std::uint64_t slice = t.hbm_bytes_per_slice();
  BOOST_TEST(hbm_partition(t, 6).slice == 0u);
  BOOST_TEST(hbm_partition(t, 6).offset == 2 * hbm_partition(t, 6).size);
  BOOST_TEST(hbm_partition(t, 0).size == slice / 3 / 4096 * 4096);
  BOOST_TEST(hbm_partition(t, 5).slice == 2u);
  BOOST_TEST(hbm_partition(t, 5).size == slice / 2);
  BOOST_TEST(hbm_partition(t, 5).offset == slice / 2);
  for (std::uint32_t pe = 0; pe < 8; ++pe) {
    const HbmPartition p = hbm_partition(t, pe);
    BOOST_TEST(p.offset + p.size <= slice);
    BOOST_TEST(p.offset % 4096 == 0u);
  }
}

BOOST_AUTO_TEST_CASE(more_slices_than_pes_leaves_the_rest_unused) {
  const kp::Topology t =
      kp::load_topology_file(std::string(std::getenv("KB_SOURCE_DIR")) + "/configs/tiny.yaml",
                             {"cube.memory_map.hbm_slices_per_cube=4"});
  BOOST_TEST(hbm_partition(t, 0).slice == 0u);
  BOOST_TEST(hbm_partition(t, 1).slice == 1u);
  BOOST_TEST(hbm_partition(t, 1).size == t.hbm_bytes_per_slice());
}

BOOST_AUTO_TEST_CASE(addresses_carry_the_pes_coordinates) {
  const kp::Topology t = kp::load_default_topology({"system.sips.count=2"});
  PeMemoryAllocator a(t, {1, 13, 5});
  const PhysAddr h = a.allocate_hbm(100);
  BOOST_TEST(h.sip == 1u);
  BOOST_TEST(h.cube == 13u);
  BOOST_TEST(h.unit == 5u);
  BOOST_TEST(static_cast<int>(h.region) == static_cast<int>(Region::hbm));
  BOOST_TEST(h.offset == 0u);
  BOOST_TEST(a.allocate_hbm(1).offset == 4096u);
  const PhysAddr tcm = a.allocate_tcm(10);
  BOOST_TEST(static_cast<int>(tcm.region) == static_cast<int>(Region::tcm));
  BOOST_TEST(tcm.unit == 5u);
  BOOST_TEST(tcm.offset == 4ULL << 20);  // above the scheduler-reserved part
  BOOST_TEST(a.allocate_tcm(10).offset == (4ULL << 20) + 64);
  BOOST_TEST(a.tcm().free_bytes() == (12ULL << 20) - 128);
  a.free_hbm(h, 100);
  a.free_tcm(tcm, 10);
}

BOOST_AUTO_TEST_CASE(tcm_exhaustion_and_foreign_frees_are_clear_errors) {
  const kp::Topology t = kp::load_default_topology();
  PeMemoryAllocator a(t, {0, 2, 3});
  a.allocate_tcm(12ULL << 20);
  try {
    a.allocate_tcm(1);
    BOOST_FAIL("expected out of memory");
  } catch (const AllocationError& e) {
    BOOST_TEST(
        std::string(e.what()).find("TCM of sip0.cube2.pe3: out of memory") != std::string::npos,
        e.what());
  }
  PeMemoryAllocator b(t, {0, 2, 4});
  const PhysAddr other = b.allocate_hbm(4096);
  try {
    a.free_hbm(other, 4096);
    BOOST_FAIL("expected an error");
  } catch (const AllocationError& e) {
    BOOST_TEST(std::string(e.what()).find("does not own that address") != std::string::npos,
               e.what());
  }
  b.free_hbm(other, 4096);
  BOOST_CHECK_THROW(b.free_hbm(other, 4096), AllocationError);
}

#define BOOST_TEST_MODULE phys_addr
#include "models/protocol/phys_addr.h"

#include <boost/test/unit_test.hpp>

#include <stdexcept>

using kb::models::PhysAddr;
using kb::models::PhysAddrLayout;
using kb::models::Region;

namespace {

PhysAddr make(std::uint32_t rack, std::uint32_t sip, std::uint32_t cube, std::uint32_t unit,
              Region region, std::uint64_t offset) {
  PhysAddr a = PhysAddr::of(sip, cube, region, unit, offset);
  a.rack = rack;
  return a;
}

void check_round_trip(const PhysAddr& a) {
  const PhysAddr b = PhysAddr::decode(a.encode());
  BOOST_TEST(b.rack == a.rack);
  BOOST_TEST(b.sip == a.sip);
  BOOST_TEST(b.cube == a.cube);
  BOOST_TEST(b.unit == a.unit);
  BOOST_TEST(static_cast<int>(b.region) == static_cast<int>(a.region));
  BOOST_TEST(b.offset == a.offset);
}

}  // namespace

BOOST_AUTO_TEST_CASE(round_trip_at_every_fields_extremes) {
  const std::uint32_t racks[] = {0, PhysAddrLayout::max_racks - 1};
  const std::uint32_t sips[] = {0, 1, PhysAddrLayout::max_sips - 1};
  const std::uint32_t cubes[] = {0, 1, PhysAddrLayout::max_cubes - 1};
  const std::uint32_t units[] = {0, 1, PhysAddrLayout::max_units - 1};
  const std::uint64_t offsets[] = {0, 1, PhysAddrLayout::max_offset};
  for (auto rack : racks)
    for (auto sip : sips)
      for (auto cube : cubes)
        for (auto unit : units)
          for (auto region : {Region::hbm, Region::tcm, Region::sram, Region::mmio})
            for (auto offset : offsets)
              check_round_trip(make(rack, sip, cube, unit, region, offset));
}

BOOST_AUTO_TEST_CASE(fields_do_not_overlap) {
  // Each field at its maximum, the others zero, sets exactly that field's bits.
  const std::uint64_t all = make(1, 0, 0, 0, Region::hbm, 0).encode() |
                            make(0, PhysAddrLayout::max_sips - 1, 0, 0, Region::hbm, 0).encode() |
                            make(0, 0, PhysAddrLayout::max_cubes - 1, 0, Region::hbm, 0).encode() |
                            make(0, 0, 0, PhysAddrLayout::max_units - 1, Region::hbm, 0).encode() |
                            make(0, 0, 0, 0, Region::mmio, 0).encode() |
                            make(0, 0, 0, 0, Region::hbm, PhysAddrLayout::max_offset).encode();
  BOOST_TEST(all == ~0ULL);
  BOOST_TEST(make(0, 1, 0, 0, Region::hbm, 0).encode() == 1ULL << PhysAddrLayout::sip_shift);
  BOOST_TEST(make(0, 0, 1, 0, Region::hbm, 0).encode() == 1ULL << PhysAddrLayout::cube_shift);
  BOOST_TEST(make(0, 0, 0, 1, Region::hbm, 0).encode() == 1ULL << PhysAddrLayout::unit_shift);
  BOOST_TEST(make(0, 0, 0, 0, Region::tcm, 0).encode() == 1ULL << PhysAddrLayout::region_shift);
}

BOOST_AUTO_TEST_CASE(out_of_range_fields_are_errors_not_wraparound) {
  BOOST_CHECK_THROW(make(PhysAddrLayout::max_racks, 0, 0, 0, Region::hbm, 0).encode(),
                    std::out_of_range);
  BOOST_CHECK_THROW(make(0, PhysAddrLayout::max_sips, 0, 0, Region::hbm, 0).encode(),
                    std::out_of_range);
  BOOST_CHECK_THROW(make(0, 0, PhysAddrLayout::max_cubes, 0, Region::hbm, 0).encode(),
                    std::out_of_range);
  BOOST_CHECK_THROW(make(0, 0, 0, PhysAddrLayout::max_units, Region::hbm, 0).encode(),
                    std::out_of_range);
  BOOST_CHECK_THROW(make(0, 0, 0, 0, Region::hbm, PhysAddrLayout::max_offset + 1).encode(),
                    std::out_of_range);
  try {
    make(0, 2000, 0, 0, Region::hbm, 0).encode();
    BOOST_FAIL("expected an error");
  } catch (const std::out_of_range& e) {
    BOOST_TEST(std::string(e.what()).find("sip = 2000") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(plus_stays_inside_the_unit) {
  const PhysAddr a = make(0, 3, 5, 7, Region::tcm, 100);
  BOOST_TEST(a.plus(28).offset == 128u);
  BOOST_TEST(a.plus(28).cube == 5u);
  BOOST_CHECK_THROW(a.plus(PhysAddrLayout::max_offset), std::out_of_range);
  BOOST_TEST(a.to_string() == "rack0.sip3.cube5.tcm7+0x64");
}

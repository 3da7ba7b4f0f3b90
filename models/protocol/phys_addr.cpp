#include "models/protocol/phys_addr.h"

#include <fmt/format.h>

#include <stdexcept>

namespace kb::models {

const char* to_string(Region region) {
  switch (region) {
    case Region::hbm: return "hbm";
    case Region::tcm: return "tcm";
    case Region::sram: return "sram";
    case Region::mmio: return "mmio";
  }
  return "?";
}

namespace {

std::uint64_t checked_field(const char* name, std::uint64_t value, std::uint64_t limit) {
  if (value >= limit) {
    throw std::out_of_range(fmt::format(
        "physical address field {} = {} is out of range (must be < {})", name, value, limit));
  }
  return value;
}

}  // namespace

std::uint64_t PhysAddr::encode() const {
  using L = PhysAddrLayout;
  return checked_field("rack", rack, L::max_racks) << L::rack_shift |
         checked_field("sip", sip, L::max_sips) << L::sip_shift |
         checked_field("cube", cube, L::max_cubes) << L::cube_shift |
         checked_field("unit", unit, L::max_units) << L::unit_shift |
         static_cast<std::uint64_t>(region) << L::region_shift |
         checked_field("offset", offset, L::max_offset + 1) << L::offset_shift;
}

PhysAddr PhysAddr::plus(std::uint64_t bytes) const {
  if (bytes > PhysAddrLayout::max_offset - offset) {
    throw std::out_of_range(
        fmt::format("{} + {} bytes leaves the addressed unit", to_string(), bytes));
  }
  PhysAddr next = *this;
  next.offset += bytes;
  return next;
}

PhysAddr PhysAddr::host(std::uint64_t offset) {
  PhysAddr a;
  a.rack = kHostRack;
  a.region = Region::mmio;
  a.offset = offset;
  return a;
}

PhysAddr PhysAddr::of(std::uint32_t sip, std::uint32_t cube, Region region, std::uint32_t unit,
                      std::uint64_t offset) {
  PhysAddr a;
  a.sip = sip;
  a.cube = cube;
  a.unit = unit;
  a.region = region;
  a.offset = offset;
  return a;
}

std::string PhysAddr::to_string() const {
  if (is_host()) return fmt::format("host+0x{:x}", offset);
  return fmt::format("rack{}.sip{}.cube{}.{}{}+0x{:x}", rack, sip, cube,
                     kb::models::to_string(region), unit, offset);
}

}  // namespace kb::models

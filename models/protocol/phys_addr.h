#pragma once
// The 64-bit physical address of the AHBM system. Routers route on these fields alone,
// so this header is the single definition of the address map.
//
//   63   62..53  52..44  43..36  35..34   33..0
//   rack  sip     cube    unit    region   offset
//   1 b   10 b    9 b     8 b     2 b      34 b
//
// - sip:    SIP index in the system (up to 1024: systems of many nodes).
// - cube:   cube index inside its SIP, row-major on the mesh: cube = y * w + x (up to 512).
// - unit:   for HBM the slice index within the cube; for TCM and MMIO the PE index within
//           the cube; for SRAM always 0 (one SRAM per cube).
// - region: HBM, TCM, SRAM or MMIO.
// - offset: byte offset inside the addressed slice / TCM / SRAM / register file (16 GiB).
// rack 0 is the system; rack 1 addresses the host (its command interface and memory).
// MMIO unit 255 of a cube is its management CPU (M_CPU); units below are its PEs.

#include <cstdint>
#include <string>

namespace kb::models {

enum class Region : std::uint8_t { hbm = 0, tcm = 1, sram = 2, mmio = 3 };

const char* to_string(Region region);

struct PhysAddrLayout {
  static constexpr unsigned offset_bits = 34;
  static constexpr unsigned region_bits = 2;
  static constexpr unsigned unit_bits = 8;
  static constexpr unsigned cube_bits = 9;
  static constexpr unsigned sip_bits = 10;
  static constexpr unsigned rack_bits = 1;

  static constexpr unsigned offset_shift = 0;
  static constexpr unsigned region_shift = offset_shift + offset_bits;
  static constexpr unsigned unit_shift = region_shift + region_bits;
  static constexpr unsigned cube_shift = unit_shift + unit_bits;
  static constexpr unsigned sip_shift = cube_shift + cube_bits;
  static constexpr unsigned rack_shift = sip_shift + sip_bits;
  static_assert(rack_shift + rack_bits == 64, "the fields must fill 64 bits exactly");

  static constexpr std::uint64_t max_racks = 1ULL << rack_bits;
  static constexpr std::uint64_t max_sips = 1ULL << sip_bits;
  static constexpr std::uint64_t max_cubes = 1ULL << cube_bits;
  static constexpr std::uint64_t max_units = 1ULL << unit_bits;
  static constexpr std::uint64_t max_offset = (1ULL << offset_bits) - 1;
};

constexpr std::uint32_t kMcpuUnit = PhysAddrLayout::max_units - 1;
constexpr std::uint32_t kHostRack = 1;

// MMIO offsets inside a PE's endpoint.
constexpr std::uint64_t kPeControlOffset = 0;  // control messages from the M_CPU
// A queue's entries and credits name the peer's rank in the offset's low bits: any world
// size the topology admits (platform/topology/topology.h, kMaxWorldSize) fits below.
constexpr std::uint64_t kIpcqDataOffset = 1ULL << 31;    // + sender rank: queue entries
constexpr std::uint64_t kIpcqCreditOffset = 1ULL << 32;  // + receiver rank: credits
constexpr std::uint64_t kIpcqRankMask = kIpcqDataOffset - 1;
// MMIO offset inside an M_CPU's endpoint: its graph dispatcher (models/cube/graph_dispatch.h).
constexpr std::uint64_t kMcpuDispatchOffset = 1ULL << 32;

// A decoded physical address. encode() rejects any field out of range with
// std::out_of_range naming the field; it never wraps into a neighbouring field.
struct PhysAddr {
  std::uint32_t rack = 0;
  std::uint32_t sip = 0;
  std::uint32_t cube = 0;
  std::uint32_t unit = 0;
  Region region = Region::hbm;
  std::uint64_t offset = 0;

  std::uint64_t encode() const;
  // Inline: every router decodes every transaction's address.
  static PhysAddr decode(std::uint64_t raw) {
    using L = PhysAddrLayout;
    auto field = [raw](unsigned shift, unsigned bits) {
      return static_cast<std::uint32_t>(raw >> shift & ((1ULL << bits) - 1));
    };
    PhysAddr a;
    a.rack = field(L::rack_shift, L::rack_bits);
    a.sip = field(L::sip_shift, L::sip_bits);
    a.cube = field(L::cube_shift, L::cube_bits);
    a.unit = field(L::unit_shift, L::unit_bits);
    a.region = static_cast<Region>(field(L::region_shift, L::region_bits));
    a.offset = raw >> L::offset_shift & L::max_offset;
    return a;
  }

  // The same address `bytes` further on, staying inside the addressed unit.
  PhysAddr plus(std::uint64_t bytes) const;

  // An address in the system (rack 0).
  static PhysAddr of(std::uint32_t sip, std::uint32_t cube, Region region, std::uint32_t unit,
                     std::uint64_t offset = 0);
  static PhysAddr host(std::uint64_t offset = 0);
  static PhysAddr mmio(std::uint32_t sip, std::uint32_t cube, std::uint32_t unit,
                       std::uint64_t offset = 0) {
    return of(sip, cube, Region::mmio, unit, offset);
  }
  bool is_host() const { return rack == kHostRack; }

  std::string to_string() const;
  friend bool operator==(const PhysAddr& a, const PhysAddr& b) { return a.encode() == b.encode(); }
  friend bool operator!=(const PhysAddr& a, const PhysAddr& b) { return !(a == b); }
};

}  // namespace kb::models

#pragma once
// The physical address map of a topology: every memory and MMIO endpoint with its base
// and size, as the routers see it. Derived from the topology alone (no elaboration).

#include "models/protocol/phys_addr.h"
#include "platform/topology/topology.h"

#include <string>
#include <vector>

namespace kb::platform {

struct AddressRange {
  std::string name;  // "sip0.cube3.hbm2", "sip0.cube3.pe5.tcm", "sip0.cube3.m_cpu"
  models::PhysAddr base;
  std::uint64_t size = 0;
};

// In order: per SIP, per cube: HBM slices, PE TCMs, SRAM, PE MMIO endpoints, M_CPU.
std::vector<AddressRange> address_map(const Topology& topology);

// One line per range: name, first and last address, size.
std::string format_address_map(const std::vector<AddressRange>& map);

}  // namespace kb::platform

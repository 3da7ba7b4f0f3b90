#pragma once
// Everything the models need to know about the machine, in model units. The platform
// fills it from the topology (platform/model_params.cpp); models never read YAML.

#include "models/interconnect/link.h"
#include "models/pe/pe.h"

#include <string>

namespace kb::models {

enum class InterSipTopology { ring, fully_connected, switched };

struct MachineParams {
  std::uint32_t sips = 1;
  std::uint32_t mesh_w = 1;
  std::uint32_t mesh_h = 1;
  std::uint32_t io_x = 0;
  std::uint32_t io_y = 0;
  std::uint32_t pes_per_cube = 1;
  std::uint32_t hbm_slices = 1;
  std::uint64_t hbm_slice_bytes = 0;
  std::uint64_t sram_bytes = 0;
  double quantum_ns = 100.0;
  bool timing_only = false;

  InterSipTopology inter_sip = InterSipTopology::ring;
  LinkParams inter_sip_link;
  LinkParams host_link;
  LinkParams mesh_link;

  MemoryParams hbm_slice;  // base filled per slice
  MemoryParams sram;       // base filled per cube
  double router_freq_ghz = 1.0;
  std::uint64_t router_hop_cycles = 0;
  double router_port_bw_gbps = 1.0;
  double mcpu_message_latency_ns = 0.0;
  double mcpu_per_pe_latency_ns = 0.0;
  PeParams pe;

  std::uint32_t cubes_per_sip() const { return mesh_w * mesh_h; }
};

}  // namespace kb::models

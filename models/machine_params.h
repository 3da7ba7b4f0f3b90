#pragma once
// Everything the models need to know about the machine. Each component's attributes are
// the struct declared beside its model, as the topology holds them (platform/topology);
// the rest are the machine's shape and figures derived from several keys
// (platform/model_params.cpp). Models never read YAML.

#include "models/cube/cube_router.h"
#include "models/cube/m_cpu.h"
#include "models/interconnect/fabric.h"
#include "models/interconnect/link.h"
#include "models/pe/pe.h"

namespace kb::models {

// Filled from a topology (platform::machine_params()); it has no defaults of its own.
struct MachineParams {
  std::uint32_t sips = 0;
  std::uint32_t mesh_w = 0;
  std::uint32_t mesh_h = 0;
  std::uint32_t io_x = 0;
  std::uint32_t io_y = 0;
  std::uint32_t pes_per_cube = 0;
  std::uint32_t hbm_slices = 0;
  std::uint64_t hbm_slice_bytes = 0;
  std::uint64_t sram_bytes = 0;
  double quantum_ns = 0;

  std::vector<LinkAttrs> level_links;  // the inter-SIP network's links, level by level
  LinkAttrs host_link;
  LinkAttrs mesh_link;
  MemoryPortAttrs hbm_slice;  // static power and area per slice
  MemoryPortAttrs sram;       // static power and area per MiB
  CubeRouterAttrs router;
  MCpuAttrs m_cpu;
  PeParams pe;

  Fabric fabric;  // what routing needs (models/interconnect/fabric.h)

  std::uint32_t cubes_per_sip() const { return mesh_w * mesh_h; }
};

}  // namespace kb::models

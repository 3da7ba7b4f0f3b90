#pragma once
// One cube: its NoC router, PEs, HBM slices, SRAM and management CPU, all bound to the
// router. Mesh and I/O ports are bound by the SIP that places the cube.

#include "models/cube/cube_router.h"
#include "models/cube/m_cpu.h"
#include "models/machine_params.h"
#include "models/memory/memory.h"
#include "models/pe/pe.h"

#include <memory>
#include <vector>

namespace kb::models {

class Cube : public Component {
 public:
  Cube(const sc_core::sc_module_name& name, const MachineParams& machine, std::uint32_t sip,
       std::uint32_t x, std::uint32_t y);
  ~Cube() override;

  CubeRouter router;
  MCpu m_cpu;
  Memory sram;
  std::vector<std::unique_ptr<Memory>> hbm;
  std::vector<std::unique_ptr<Pe>> pes;
};

}  // namespace kb::models

#pragma once
// The NoC router of one cube. It routes on physical-address fields alone:
//   - the host (rack 1) or another SIP: towards the SIP's I/O cube, then out of its I/O port;
//   - another cube of this SIP: XY routing over the mesh (x first, then y; y grows south);
//   - this cube: HBM slice `unit`, PE `unit` (TCM and MMIO), the SRAM, or the M_CPU
//     (MMIO unit 255).
// Every port has the router's port bandwidth in each direction; a pass through the router
// costs hop_latency_cycles of its clock each way.

#include "models/interconnect/router.h"
#include "models/machine_params.h"

#include <array>

namespace kb::models {

enum class MeshDirection : unsigned { north = 0, east = 1, south = 2, west = 3 };
const char* to_string(MeshDirection d);

class CubeRouter : public Router {
 public:
  // The router of cube (x, y) of SIP `sip` on `machine`, which must outlive it.
  CubeRouter(const sc_core::sc_module_name& name, const MachineParams& machine, std::uint32_t sip,
             std::uint32_t x, std::uint32_t y);

  unsigned add_pe_port(std::uint32_t pe);
  unsigned add_hbm_port(std::uint32_t slice);
  unsigned add_sram_port();
  unsigned add_mcpu_port();
  unsigned add_mesh_port(MeshDirection direction);
  unsigned add_io_port();

  std::optional<unsigned> route(const PhysAddr& address) const override;

  std::uint32_t cube_index() const { return y_ * m_.mesh_w + x_; }

 private:
  std::optional<unsigned> towards(std::uint32_t cube) const;

  const MachineParams& m_;
  std::uint32_t sip_, x_, y_;
  std::vector<std::optional<unsigned>> pe_ports_;
  std::vector<std::optional<unsigned>> hbm_ports_;
  std::optional<unsigned> sram_port_;
  std::optional<unsigned> mcpu_port_;
  std::optional<unsigned> io_port_;
  std::array<std::optional<unsigned>, 4> mesh_ports_;
};

}  // namespace kb::models

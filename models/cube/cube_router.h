#pragma once
// The NoC router of one cube. It routes on physical-address fields alone:
//   - the host (rack 1) or another SIP: towards the SIP's I/O cube, then out of its I/O port;
//   - another cube of this SIP: XY routing over the mesh (x first, then y; y grows south);
//   - this cube: HBM slice `unit`, PE `unit` (TCM and MMIO), the SRAM, or the M_CPU
//     (MMIO unit 255).
// Every port has the router's port bandwidth in each direction; a pass through the router
// costs hop_latency_cycles of its clock each way.

#include "models/interconnect/router.h"

#include <array>

namespace kb::models {

struct CubeRouterParams {
  std::uint32_t sip = 0;
  std::uint32_t x = 0;
  std::uint32_t y = 0;
  std::uint32_t mesh_w = 1;
  std::uint32_t mesh_h = 1;
  std::uint32_t io_x = 0;
  std::uint32_t io_y = 0;
  double freq_ghz = 1.0;
  std::uint64_t hop_latency_cycles = 0;
  double port_bw_gbps = 1.0;
};

enum class MeshDirection : unsigned { north = 0, east = 1, south = 2, west = 3 };
const char* to_string(MeshDirection d);

class CubeRouter : public Router {
 public:
  CubeRouter(const sc_core::sc_module_name& name, const CubeRouterParams& params);

  unsigned add_pe_port(std::uint32_t pe);
  unsigned add_hbm_port(std::uint32_t slice);
  unsigned add_sram_port();
  unsigned add_mcpu_port();
  unsigned add_mesh_port(MeshDirection direction);
  unsigned add_io_port();

  std::optional<unsigned> route(const PhysAddr& address) const override;

  std::uint32_t cube_index() const { return p_.y * p_.mesh_w + p_.x; }

 private:
  std::optional<unsigned> towards(std::uint32_t cube) const;

  CubeRouterParams p_;
  std::vector<std::optional<unsigned>> pe_ports_;
  std::vector<std::optional<unsigned>> hbm_ports_;
  std::optional<unsigned> sram_port_;
  std::optional<unsigned> mcpu_port_;
  std::optional<unsigned> io_port_;
  std::array<std::optional<unsigned>, 4> mesh_ports_;
};

}  // namespace kb::models

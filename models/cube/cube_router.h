#pragma once
// The NoC router of one cube. It routes on physical-address fields alone:
//   - the host (rack 1) or another SIP: towards the SIP's I/O cube, then out of its I/O port;
//   - another cube of this SIP: XY routing over the mesh (mesh_step in
//     models/interconnect/fabric.h: x first, then y; y grows south);
//   - this cube: HBM slice `unit`, PE `unit` (TCM and MMIO), the SRAM, or the M_CPU
//     (MMIO unit 255).
// Its local ports (PEs, HBM slices, SRAM, M_CPU) have the router's port bandwidth in each
// direction; a mesh or I/O port is as wide as the link attached to it, so the link alone
// times it (a mesh link faster than a local port carries its full rate). A pass through
// the router costs hop_latency_cycles of its clock each way.

#include "models/cube/cube_router_attrs.h"
#include "models/interconnect/fabric.h"
#include "models/interconnect/router.h"

#include <array>

namespace kb::models {

// Where a router sits: cube (x, y) of SIP `sip`, in a w x h mesh whose I/O port is at
// cube (io_x, io_y).
struct MeshPlace {
  std::uint32_t sip = 0, x = 0, y = 0;
  std::uint32_t mesh_w = 1, mesh_h = 1;
  std::uint32_t io_x = 0, io_y = 0;
};

class CubeRouter : public Router {
 public:
  CubeRouter(const sc_core::sc_module_name& name, const CubeRouterAttrs& attrs,
             const MeshPlace& place);

  unsigned add_pe_port(std::uint32_t pe);
  unsigned add_hbm_port(std::uint32_t slice);
  unsigned add_sram_port();
  unsigned add_mcpu_port();
  unsigned add_mesh_port(MeshDirection direction);
  unsigned add_io_port();

  std::optional<unsigned> route(const PhysAddr& address) const override;

  std::uint32_t cube_index() const { return at_.y * at_.mesh_w + at_.x; }

 private:
  std::optional<unsigned> towards(std::uint32_t cube) const;

  double port_gbps_;
  MeshPlace at_;
  std::vector<std::optional<unsigned>> pe_ports_;
  std::vector<std::optional<unsigned>> hbm_ports_;
  std::optional<unsigned> sram_port_;
  std::optional<unsigned> mcpu_port_;
  std::optional<unsigned> io_port_;
  std::array<std::optional<unsigned>, 4> mesh_ports_;
};

}  // namespace kb::models

#include "models/sip/sip.h"

#include "models/common/children.h"

namespace kb::models {

void attach_a(Router& router, unsigned port, Link& link) {
  router.bind_out(port, link.a_in);
  router.bind_in(port, link.a_out);
}

void attach_b(Router& router, unsigned port, Link& link) {
  router.bind_out(port, link.b_in);
  router.bind_in(port, link.b_out);
}

Sip::Sip(const sc_core::sc_module_name& name, const MachineParams& m, std::uint32_t sip)
    : Component(name), io("io", sip, m.fabric), io_cube_(m.io_y * m.mesh_w + m.io_x) {
  for (std::uint32_t y = 0; y < m.mesh_h; ++y) {
    for (std::uint32_t x = 0; x < m.mesh_w; ++x) {
      cubes_.push_back(
          std::make_unique<Cube>(fmt::format("cube{}", y * m.mesh_w + x).c_str(), m, sip, x, y));
    }
  }
  for (std::uint32_t y = 0; y < m.mesh_h; ++y) {
    for (std::uint32_t x = 0; x < m.mesh_w; ++x) {
      Cube& here = cube(y * m.mesh_w + x);
      if (x + 1 < m.mesh_w) {
        join(here, MeshDirection::east, cube(y * m.mesh_w + x + 1), MeshDirection::west,
             m.mesh_link);
      }
      if (y + 1 < m.mesh_h) {
        join(here, MeshDirection::south, cube((y + 1) * m.mesh_w + x), MeshDirection::north,
             m.mesh_link);
      }
    }
  }
  CubeRouter& io_router = cube(io_cube_).router;
  const unsigned io_port = io_router.add_io_port();
  io_router.bind_out_to(io_port, io, io.cubes_port());
  io.bind_out_to(io.cubes_port(), io_router, io_port);
}

Sip::~Sip() {
  destroy_newest_first(mesh_links_);
  destroy_newest_first(cubes_);
}

void Sip::join(Cube& a, MeshDirection from_a, Cube& b, MeshDirection from_b,
               const LinkAttrs& params) {
  auto& link = mesh_links_.emplace_back(std::make_unique<Link>(
      fmt::format("link_{}_{}", a.basename(), b.basename()).c_str(), params, EnergyClass::noc));
  attach_a(a.router, a.router.add_mesh_port(from_a), *link);
  attach_b(b.router, b.router.add_mesh_port(from_b), *link);
}

}  // namespace kb::models

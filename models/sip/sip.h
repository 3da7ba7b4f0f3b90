#pragma once
// One SIP: a w x h mesh of cubes joined by mesh links, and its I/O port beside the I/O
// cube. Host and inter-SIP links are bound by the system.

#include "models/cube/cube.h"
#include "models/interconnect/link.h"
#include "models/sip/sip_io.h"

namespace kb::models {

class Sip : public Component {
 public:
  Sip(const sc_core::sc_module_name& name, const MachineParams& machine, std::uint32_t sip);
  ~Sip() override;

  Cube& cube(std::uint32_t index) { return *cubes_.at(index); }
  std::uint32_t cube_count() const { return static_cast<std::uint32_t>(cubes_.size()); }
  // The cube beside the I/O port, whose M_CPU holds the SIP's graph dispatcher.
  std::uint32_t io_cube() const { return io_cube_; }
  GraphDispatch& dispatcher() { return cube(io_cube_).m_cpu.dispatcher(); }
  SipIo io;

 private:
  void join(Cube& a, MeshDirection from_a, Cube& b, MeshDirection from_b, const LinkAttrs& link);

  std::uint32_t io_cube_;
  std::vector<std::unique_ptr<Cube>> cubes_;
  std::vector<std::unique_ptr<Link>> mesh_links_;
};

// Joins router port `port` of `router` to side A (or B) of `link`, both ways.
void attach_a(Router& router, unsigned port, Link& link);
void attach_b(Router& router, unsigned port, Link& link);

}  // namespace kb::models

#include "models/cube/cube_router.h"

namespace kb::models {

CubeRouter::CubeRouter(const sc_core::sc_module_name& name, const CubeRouterAttrs& attrs,
                       const MeshPlace& place)
    : Router(name, attrs.freq_ghz, static_cast<std::uint64_t>(attrs.hop_latency_cycles)),
      port_gbps_(attrs.bw_gbps),
      at_(place) {
  meter(attrs.pj_per_byte, attrs.static_w);
}

namespace {
unsigned remember(std::vector<std::optional<unsigned>>& table, std::uint32_t index, unsigned port) {
  if (table.size() <= index) table.resize(index + 1);
  table[index] = port;
  return port;
}
}  // namespace

unsigned CubeRouter::add_pe_port(std::uint32_t pe) {
  return remember(pe_ports_, pe, add_port(fmt::format("pe{}", pe), port_gbps_));
}

unsigned CubeRouter::add_hbm_port(std::uint32_t slice) {
  return remember(hbm_ports_, slice, add_port(fmt::format("hbm{}", slice), port_gbps_));
}

unsigned CubeRouter::add_sram_port() { return *(sram_port_ = add_port("sram", port_gbps_)); }
unsigned CubeRouter::add_mcpu_port() { return *(mcpu_port_ = add_port("m_cpu", port_gbps_)); }
// A mesh or I/O port is as wide as the link attached to it: the link's resources time it.
unsigned CubeRouter::add_io_port() { return *(io_port_ = add_port("io", 0)); }

unsigned CubeRouter::add_mesh_port(MeshDirection d) {
  return *(mesh_ports_[static_cast<unsigned>(d)] = add_port(to_string(d), 0));
}

std::optional<unsigned> CubeRouter::towards(std::uint32_t cube) const {
  return mesh_ports_[static_cast<unsigned>(mesh_step(at_.mesh_w, cube_index(), cube))];
}

std::optional<unsigned> CubeRouter::route(const PhysAddr& a) const {
  const std::uint32_t here = cube_index();
  if (a.is_host() || a.sip != at_.sip) {
    const std::uint32_t io = at_.io_y * at_.mesh_w + at_.io_x;
    return io == here ? io_port_ : towards(io);
  }
  if (a.rack != 0 || a.cube >= at_.mesh_w * at_.mesh_h) return std::nullopt;
  if (a.cube != here) return towards(a.cube);
  auto lookup = [](const std::vector<std::optional<unsigned>>& table, std::uint32_t unit) {
    return unit < table.size() ? table[unit] : std::nullopt;
  };
  switch (a.region) {
    case Region::hbm: return lookup(hbm_ports_, a.unit);
    case Region::tcm: return lookup(pe_ports_, a.unit);
    case Region::sram: return a.unit == 0 ? sram_port_ : std::nullopt;
    case Region::mmio: return a.unit == kMcpuUnit ? mcpu_port_ : lookup(pe_ports_, a.unit);
  }
  return std::nullopt;
}

}  // namespace kb::models

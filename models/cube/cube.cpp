#include "models/cube/cube.h"

#include "models/common/children.h"

namespace kb::models {

namespace {

// `static_w` is the memory's static power: per slice for HBM, per MiB for the SRAM.
MemoryGeometry placed(const MemoryPortAttrs& attrs, std::uint32_t sip, std::uint32_t cube,
                      Region region, std::uint32_t unit, std::uint64_t size, double static_w) {
  return {PhysAddr::of(sip, cube, region, unit).encode(),
          size,
          attrs.bw_gbps,
          ns_to_ps(attrs.latency_ns),
          region == Region::hbm ? EnergyClass::hbm : EnergyClass::sram,
          attrs.read_pj_per_byte,
          attrs.write_pj_per_byte,
          static_w};
}

MeshPlace place(const MachineParams& m, std::uint32_t sip, std::uint32_t x, std::uint32_t y) {
  return {sip, x, y, m.mesh_w, m.mesh_h, m.io_x, m.io_y};
}

}  // namespace

Cube::Cube(const sc_core::sc_module_name& name, const MachineParams& m, std::uint32_t sip,
           std::uint32_t x, std::uint32_t y)
    : Component(name),
      router("router", m.router, place(m, sip, x, y)),
      m_cpu("m_cpu", m.m_cpu, sip, y * m.mesh_w + x, m.pe.timing_only, x == m.io_x && y == m.io_y),
      sram("sram", placed(m.sram, sip, y * m.mesh_w + x, Region::sram, 0, m.sram_bytes,
                          m.sram.static_w * static_cast<double>(m.sram_bytes) /
                              static_cast<double>(1 << 20))) {
  const std::uint32_t cube = y * m.mesh_w + x;
  const unsigned mcpu_port = router.add_mcpu_port();
  router.bind_out(mcpu_port, m_cpu.in);
  router.bind_in(mcpu_port, m_cpu.out);
  router.bind_out(router.add_sram_port(), sram.target);
  for (std::uint32_t s = 0; s < m.hbm_slices; ++s) {
    hbm.push_back(std::make_unique<Memory>(
        fmt::format("hbm{}", s).c_str(),
        placed(m.hbm_slice, sip, cube, Region::hbm, s, m.hbm_slice_bytes, m.hbm_slice.static_w)));
    router.bind_out(router.add_hbm_port(s), hbm.back()->target);
  }
  for (std::uint32_t p = 0; p < m.pes_per_cube; ++p) {
    PeLocation at{sip, cube, p, x, y, m.pes_per_cube, m.cubes_per_sip(), m.sips};
    pes.push_back(std::make_unique<Pe>(fmt::format("pe{}", p).c_str(), m.pe, at));
    const unsigned port = router.add_pe_port(p);
    router.bind_out(port, pes.back()->noc_in);
    router.bind_in(port, pes.back()->noc_out());
  }
}

Cube::~Cube() {
  destroy_newest_first(pes);
  destroy_newest_first(hbm);
}

}  // namespace kb::models

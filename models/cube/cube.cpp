#include "models/cube/cube.h"

namespace kb::models {

namespace {

MCpuParams mcpu_params(const MachineParams& m, std::uint32_t sip, std::uint32_t cube) {
  return {sip, cube, m.mcpu_message_latency_ns, m.mcpu_per_pe_latency_ns, m.timing_only};
}

MemoryParams placed(MemoryParams p, std::uint32_t sip, std::uint32_t cube, Region region,
                    std::uint32_t unit, std::uint64_t size) {
  p.base = PhysAddr::of(sip, cube, region, unit).encode();
  p.size = size;
  return p;
}

}  // namespace

Cube::Cube(const sc_core::sc_module_name& name, const MachineParams& m, std::uint32_t sip,
           std::uint32_t x, std::uint32_t y)
    : Component(name),
      router("router", m, sip, x, y),
      m_cpu("m_cpu", mcpu_params(m, sip, y * m.mesh_w + x)),
      sram("sram", placed(m.sram, sip, y * m.mesh_w + x, Region::sram, 0, m.sram_bytes)) {
  const std::uint32_t cube = y * m.mesh_w + x;
  const unsigned mcpu_port = router.add_mcpu_port();
  router.bind_out(mcpu_port, m_cpu.in);
  router.bind_in(mcpu_port, m_cpu.out);
  router.bind_out(router.add_sram_port(), sram.target);
  for (std::uint32_t s = 0; s < m.hbm_slices; ++s) {
    hbm.push_back(std::make_unique<Memory>(
        fmt::format("hbm{}", s).c_str(),
        placed(m.hbm_slice, sip, cube, Region::hbm, s, m.hbm_slice_bytes)));
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

}  // namespace kb::models

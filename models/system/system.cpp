#include "models/system/system.h"

namespace kb::models {

System::System(const sc_core::sc_module_name& name, const MachineParams& machine)
    : Component(name), host("host", machine.sips), machine_(machine) {
  // Components keep references into machine_, which lives as long as they do.
  const MachineParams& m = machine_;
  for (std::uint32_t s = 0; s < m.sips; ++s) {
    sips_.push_back(std::make_unique<Sip>(fmt::format("sip{}", s).c_str(), m, s));
    Link& link = new_link(fmt::format("host_link{}", s), m.host_link);
    host.out.bind(link.a_in);
    link.a_out.bind(host.in);
    attach_b(sips_.back()->io, sips_.back()->io.host_port(), link);
  }
  if (m.sips < 2) return;
  switch (m.inter_sip) {
    case InterSipTopology::ring:
      for (std::uint32_t s = 0; s < m.sips; ++s) {
        const std::uint32_t next = (s + 1) % m.sips;
        Link& link = new_link(fmt::format("sip_link{}_{}", s, next), m.inter_sip_link);
        attach_a(sip(s).io, sip(s).io.ring_next_port(), link);
        attach_b(sip(next).io, sip(next).io.ring_prev_port(), link);
      }
      break;
    case InterSipTopology::fully_connected:
      for (std::uint32_t a = 0; a < m.sips; ++a) {
        for (std::uint32_t b = a + 1; b < m.sips; ++b) {
          Link& link = new_link(fmt::format("sip_link{}_{}", a, b), m.inter_sip_link);
          attach_a(sip(a).io, sip(a).io.direct_port(b), link);
          attach_b(sip(b).io, sip(b).io.direct_port(a), link);
        }
      }
      break;
    case InterSipTopology::switched:
      switch_ = std::make_unique<SipSwitch>("sip_switch", m.sips);
      for (std::uint32_t s = 0; s < m.sips; ++s) {
        Link& link = new_link(fmt::format("switch_link{}", s), m.inter_sip_link);
        attach_a(sip(s).io, sip(s).io.switch_port(), link);
        attach_b(*switch_, s, link);
      }
      break;
  }
}

Link& System::new_link(const std::string& name, const PortAttrs& attrs) {
  return *links_.emplace_back(std::make_unique<Link>(name.c_str(), attrs));
}

}  // namespace kb::models

#include "models/system/system.h"

#include "models/common/children.h"

namespace kb::models {

System::System(const sc_core::sc_module_name& name, const MachineParams& machine)
    : Component(name), host("host", machine.sips), machine_(machine) {
  // Components keep references into machine_, which lives as long as they do.
  const MachineParams& m = machine_;
  // Created in groups (SIPs, the switch, host links, inter-SIP links) so that ~System can
  // destroy them in exactly the reverse order (models/common/children.h).
  for (std::uint32_t s = 0; s < m.sips; ++s) {
    sips_.push_back(std::make_unique<Sip>(fmt::format("sip{}", s).c_str(), m, s));
  }
  if (m.sips > 1 && m.inter_sip == InterSipTopology::switched) {
    switch_ = std::make_unique<SipSwitch>("sip_switch", m.sips);
  }
  for (std::uint32_t s = 0; s < m.sips; ++s) {
    Link& link = new_link(fmt::format("host_link{}", s), m.host_link);
    host.out.bind(link.a_in);
    link.a_out.bind(host.in);
    attach_b(sip(s).io, sip(s).io.host_port(), link);
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
      for (std::uint32_t s = 0; s < m.sips; ++s) {
        Link& link = new_link(fmt::format("switch_link{}", s), m.inter_sip_link);
        attach_a(sip(s).io, sip(s).io.switch_port(), link);
        attach_b(*switch_, s, link);
      }
      break;
  }
}

System::~System() {
  destroy_newest_first(links_);
  switch_.reset();
  destroy_newest_first(sips_);
}

Link& System::new_link(const std::string& name, const PortAttrs& attrs) {
  return *links_.emplace_back(std::make_unique<Link>(name.c_str(), attrs));
}

}  // namespace kb::models

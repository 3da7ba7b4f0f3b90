#include "models/system/system.h"

#include "models/common/children.h"

#include <algorithm>

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
  const Fabric& fabric = m.fabric;
  const std::vector<SipLink> links = sip_links(fabric);
  const bool switched =
      std::any_of(links.begin(), links.end(), [](const SipLink& l) { return l.b == kSwitchEnd; });
  if (switched) switch_ = std::make_unique<SipSwitch>("sip_switch", fabric);
  for (std::uint32_t s = 0; s < m.sips; ++s) {
    Link& link = new_link(fmt::format("host_link{}", s), m.host_link, EnergyClass::host);
    host.out.bind(link.a_in);
    link.a_out.bind(host.in);
    attach_b(sip(s).io, sip(s).io.host_port(), link);
  }
  for (std::size_t i = 0; i < links.size(); ++i) {
    Link& link = new_link(links[i].name, m.inter_sip_link, EnergyClass::inter_sip);
    attach_a(sip(links[i].a).io, sip(links[i].a).io.link_port(i), link);
    if (links[i].b == kSwitchEnd) {
      attach_b(*switch_, static_cast<unsigned>(i), link);
    } else {
      attach_b(sip(links[i].b).io, sip(links[i].b).io.link_port(i), link);
    }
  }
}

System::~System() {
  destroy_newest_first(links_);
  switch_.reset();
  destroy_newest_first(sips_);
}

Link& System::new_link(const std::string& name, const LinkAttrs& attrs, EnergyClass cls) {
  return *links_.emplace_back(std::make_unique<Link>(name.c_str(), attrs, cls));
}

}  // namespace kb::models

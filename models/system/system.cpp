#include "models/system/system.h"

#include "models/common/children.h"

#include <map>

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
  // A switch's port for each of its links, by link index.
  std::map<std::size_t, std::pair<SipSwitch*, unsigned>> switch_ports;
  for (const SwitchId id : switches(fabric)) {
    switches_.push_back(std::make_unique<SipSwitch>(switch_name(fabric, id).c_str(), fabric, id));
    const std::vector<std::size_t> ports = switch_links(fabric, id);
    for (unsigned p = 0; p < ports.size(); ++p)
      switch_ports[ports[p]] = {switches_.back().get(), p};
  }
  for (std::uint32_t s = 0; s < m.sips; ++s) {
    Link& link = new_link(fmt::format("host_link{}", s), m.host_link, EnergyClass::host);
    host.out.bind(link.a_in);
    link.a_out.bind(host.in);
    attach_b(sip(s).io, sip(s).io.host_port(), link);
  }
  for (std::size_t i = 0; i < links.size(); ++i) {
    Link& link = new_link(links[i].name, m.level_links.at(links[i].level), EnergyClass::inter_sip);
    attach_a(sip(links[i].a).io, sip(links[i].a).io.link_port(i), link);
    if (links[i].b == kSwitchEnd) {
      const auto [at, port] = switch_ports.at(i);
      attach_b(*at, port, link);
    } else {
      attach_b(sip(links[i].b).io, sip(links[i].b).io.link_port(i), link);
    }
  }
}

System::~System() {
  destroy_newest_first(links_);
  destroy_newest_first(switches_);
  destroy_newest_first(sips_);
}

Link& System::new_link(const std::string& name, const LinkAttrs& attrs, EnergyClass cls) {
  return *links_.emplace_back(std::make_unique<Link>(name.c_str(), attrs, cls));
}

}  // namespace kb::models

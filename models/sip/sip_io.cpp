#include "models/sip/sip_io.h"

namespace kb::models {

SipIo::SipIo(const sc_core::sc_module_name& name, std::uint32_t sip, const Fabric& fabric)
    : Router(name, 1.0, 0),
      sip_(sip),
      fabric_(fabric),
      cubes_(add_port("cubes", 0)),
      host_(add_port("host", 0)) {
  for (std::size_t link : sip_links_of(fabric, sip)) {
    link_ports_[link] = add_port(sip_link(fabric, link).name, 0);
  }
}

std::optional<unsigned> SipIo::route(const PhysAddr& a) const {
  if (a.is_host()) return host_;
  if (a.rack != 0 || a.sip >= fabric_.sips) return std::nullopt;
  if (a.sip == sip_) return cubes_;
  return link_ports_.at(next_sip_link(fabric_, sip_, a.sip).link);
}

SipSwitch::SipSwitch(const sc_core::sc_module_name& name, const Fabric& fabric, SwitchId id)
    : Router(name, 1.0, 0), fabric_(fabric), id_(id) {
  for (std::size_t link : switch_links(fabric, id)) {
    link_ports_[link] = add_port(sip_link(fabric, link).name, 0);
  }
}

std::optional<unsigned> SipSwitch::route(const PhysAddr& a) const {
  if (a.is_host() || a.rack != 0 || a.sip >= fabric_.sips) return std::nullopt;
  return link_ports_.at(next_switch_link(fabric_, id_, a.sip).link);
}

}  // namespace kb::models

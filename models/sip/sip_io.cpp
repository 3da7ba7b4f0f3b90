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

SipSwitch::SipSwitch(const sc_core::sc_module_name& name, const Fabric& fabric)
    : Router(name, 1.0, 0), fabric_(fabric) {
  for (std::size_t i = 0; i < sip_link_count(fabric); ++i) add_port(sip_link(fabric, i).name, 0);
}

std::optional<unsigned> SipSwitch::route(const PhysAddr& a) const {
  if (a.is_host() || a.rack != 0 || a.sip >= fabric_.sips) return std::nullopt;
  return static_cast<unsigned>(next_sip_link(fabric_, kSwitchEnd, a.sip).link);
}

}  // namespace kb::models

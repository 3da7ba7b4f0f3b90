#include "models/sip/sip_io.h"

namespace kb::models {

SipIo::SipIo(const sc_core::sc_module_name& name, std::uint32_t sip, std::uint32_t sips,
             InterSipTopology topology)
    : Router(name, 1.0, 0),
      sip_(sip),
      sips_(sips),
      topology_(topology),
      cubes_(add_port("cubes", 0)),
      host_(add_port("host", 0)) {
  if (sips < 2) return;
  switch (topology) {
    case InterSipTopology::ring: sip_ports_ = {add_port("next", 0), add_port("prev", 0)}; break;
    case InterSipTopology::fully_connected:
      for (std::uint32_t s = 0; s < sips; ++s) {
        sip_ports_.push_back(s == sip ? ~0U : add_port(fmt::format("sip{}", s), 0));
      }
      break;
    case InterSipTopology::switched: sip_ports_ = {add_port("switch", 0)}; break;
  }
}

std::optional<unsigned> SipIo::route(const PhysAddr& a) const {
  if (a.is_host()) return host_;
  if (a.rack != 0 || a.sip >= sips_) return std::nullopt;
  if (a.sip == sip_) return cubes_;
  switch (topology_) {
    case InterSipTopology::ring: {
      const std::uint32_t ahead = (a.sip + sips_ - sip_) % sips_;
      return ahead <= sips_ / 2 ? ring_next_port() : ring_prev_port();
    }
    case InterSipTopology::fully_connected: return direct_port(a.sip);
    case InterSipTopology::switched: return switch_port();
  }
  return std::nullopt;
}

SipSwitch::SipSwitch(const sc_core::sc_module_name& name, std::uint32_t sips)
    : Router(name, 1.0, 0), sips_(sips) {
  for (std::uint32_t s = 0; s < sips; ++s) add_port(fmt::format("sip{}", s), 0);
}

std::optional<unsigned> SipSwitch::route(const PhysAddr& a) const {
  if (a.is_host() || a.rack != 0 || a.sip >= sips_) return std::nullopt;
  return a.sip;
}

}  // namespace kb::models

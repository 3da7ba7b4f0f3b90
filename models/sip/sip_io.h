#pragma once
// A SIP's I/O port, beside its I/O cube: where the host link and the inter-SIP links
// attach. It routes on the address alone and adds no time of its own (its links do):
//   host (rack 1) -> host link;  this SIP -> the I/O cube's router;
//   another SIP   -> the inter-SIP link the fabric's routing takes (models/interconnect/fabric.h).

#include "models/interconnect/fabric.h"
#include "models/interconnect/router.h"

#include <map>

namespace kb::models {

class SipIo : public Router {
 public:
  SipIo(const sc_core::sc_module_name& name, std::uint32_t sip, const Fabric& fabric);

  unsigned cubes_port() const { return cubes_; }
  unsigned host_port() const { return host_; }
  // The port of inter-SIP link `link` (an index into sip_links()), which this SIP ends.
  unsigned link_port(std::size_t link) const { return link_ports_.at(link); }
  std::optional<unsigned> route(const PhysAddr& address) const override;

 private:
  std::uint32_t sip_;
  Fabric fabric_;
  unsigned cubes_;
  unsigned host_;
  std::map<std::size_t, unsigned> link_ports_;  // by link index
};

// The switch of one group of a `switch` network level: port i is the link of the group's
// i-th SIP (models/interconnect/fabric.h, switch_links).
class SipSwitch : public Router {
 public:
  SipSwitch(const sc_core::sc_module_name& name, const Fabric& fabric, SwitchId id);
  std::optional<unsigned> route(const PhysAddr& address) const override;

 private:
  Fabric fabric_;
  SwitchId id_;
  std::map<std::size_t, unsigned> link_ports_;  // by link index
};

}  // namespace kb::models

#pragma once
// A SIP's I/O port, beside its I/O cube: where the host link and the inter-SIP links
// attach. It routes on the address alone and adds no time of its own (its links do):
//   host (rack 1) -> host link;  this SIP -> the I/O cube's router;
//   another SIP   -> ring: the shorter way round (ties go to the next SIP);
//                    fully connected: the direct link;  switch: the switch uplink.

#include "models/interconnect/router.h"
#include "models/machine_params.h"

namespace kb::models {

class SipIo : public Router {
 public:
  SipIo(const sc_core::sc_module_name& name, std::uint32_t sip, std::uint32_t sips,
        InterSipTopology topology);

  unsigned cubes_port() const { return cubes_; }
  unsigned host_port() const { return host_; }
  // Inter-SIP ports. ring: next (to sip + 1) and prev (from sip - 1); fully connected:
  // one per other SIP; switch: the uplink.
  unsigned ring_next_port() const { return sip_ports_.at(0); }
  unsigned ring_prev_port() const { return sip_ports_.at(1); }
  unsigned direct_port(std::uint32_t sip) const { return sip_ports_.at(sip); }
  unsigned switch_port() const { return sip_ports_.at(0); }
  std::optional<unsigned> route(const PhysAddr& address) const override;

 private:
  std::uint32_t sip_;
  std::uint32_t sips_;
  InterSipTopology topology_;
  unsigned cubes_;
  unsigned host_;
  std::vector<unsigned> sip_ports_;  // per topology: [next, prev] / per SIP / [switch]
};

// The central switch of the `switch` inter-SIP topology: port i leads to SIP i.
class SipSwitch : public Router {
 public:
  SipSwitch(const sc_core::sc_module_name& name, std::uint32_t sips);
  std::optional<unsigned> route(const PhysAddr& address) const override;

 private:
  std::uint32_t sips_;
};

}  // namespace kb::models

#pragma once
// The whole machine: the host interface, every SIP, the host links and the inter-SIP
// network (its levels: rings, fully connected groups or switches).

#include "models/host/host_interface.h"
#include "models/sip/sip.h"

namespace kb::models {

class System : public Component {
 public:
  System(const sc_core::sc_module_name& name, const MachineParams& machine);
  ~System() override;

  const MachineParams& machine() const { return machine_; }
  HostInterface host;
  Sip& sip(std::uint32_t index) { return *sips_.at(index); }
  Pe& pe(std::uint32_t sip, std::uint32_t cube, std::uint32_t pe) {
    return *this->sip(sip).cube(cube).pes.at(pe);
  }

 private:
  Link& new_link(const std::string& name, const LinkAttrs& attrs, EnergyClass cls);

  MachineParams machine_;
  std::vector<std::unique_ptr<Sip>> sips_;
  std::vector<std::unique_ptr<Link>> links_;
  std::vector<std::unique_ptr<SipSwitch>> switches_;
};

}  // namespace kb::models

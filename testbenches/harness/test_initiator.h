#pragma once
// A bare initiator for component tests: issues one access at a time through an
// InitiatorPort (so the protocol checks apply) and reports when it completes.

#include "models/common/initiator_port.h"
#include "models/protocol/transaction.h"

namespace kb::test {

class TestInitiator : public sc_core::sc_module {
 public:
  explicit TestInitiator(const sc_core::sc_module_name& name)
      : sc_core::sc_module(name), out("out") {}

  models::InitiatorPort out;
  models::Transaction txn;

  // Issues an access at now + `offset_ps`; returns its completion time (tail included)
  // relative to now, in ps. Requires TLM_OK_RESPONSE unless `status` is given.
  models::Picoseconds access(tlm::tlm_command command, std::uint64_t address, void* data,
                             std::uint64_t nbytes, models::Picoseconds offset_ps = 0,
                             tlm::tlm_response_status* status = nullptr, unsigned binding = 0) {
    tlm::tlm_generic_payload& p =
        txn.access(command, address, static_cast<unsigned char*>(data), nbytes);
    sc_core::sc_time delay = models::from_ps(offset_ps);
    out.transport(binding, p, delay);
    if (status != nullptr) {
      *status = p.get_response_status();
    } else if (p.get_response_status() != tlm::TLM_OK_RESPONSE) {
      throw std::runtime_error("access failed: " + p.get_response_string());
    }
    return models::to_ps(delay) + txn.transfer().tail_ps;
  }
};

}  // namespace kb::test

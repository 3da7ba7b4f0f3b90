#include "models/common/target_port.h"

#include "models/common/initiator_port.h"

namespace kb::models {

ForeignCall::ForeignCall(const char* socket, tlm::tlm_generic_payload& payload,
                         const sc_core::sc_time* delay)
    : socket_(socket),
      payload_(payload),
      delay_before_(delay != nullptr ? *delay : sc_core::SC_ZERO_TIME),
      address_(payload.get_address()),
      data_(payload.get_data_ptr()),
      length_(payload.get_data_length()) {
#ifdef KB_PROTOCOL_CHECKS
  if (delay != nullptr) ProtocolChecker::before(socket_, payload_);
#endif
  // Attached last: a throw above must not leave it on the caller's payload.
  payload.set_extension(&fallback_);
}

ForeignCall::~ForeignCall() { payload_.clear_extension(&fallback_); }

void ForeignCall::finish(const sc_core::sc_time& delay) const {
#ifdef KB_PROTOCOL_CHECKS
  ProtocolChecker::after(socket_, payload_, delay_before_, delay, address_, data_, length_);
#else
  (void)delay;
#endif
}

}  // namespace kb::models

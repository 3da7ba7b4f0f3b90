#include "models/common/target_port.h"

#include "models/common/initiator_port.h"

namespace kb::models {

TargetCall::TargetCall(const char* socket, tlm::tlm_generic_payload& payload,
                       const sc_core::sc_time* delay)
    : socket_(socket),
      payload_(payload),
      delay_before_(delay != nullptr ? *delay : sc_core::SC_ZERO_TIME),
      address_(payload.get_address()),
      data_(payload.get_data_ptr()),
      length_(payload.get_data_length()),
      // The project's initiators attach a TransferExtension and check the protocol around
      // this very call (InitiatorPort::transport): only another library's initiator needs
      // checking here.
      foreign_(payload.get_extension<TransferExtension>() == nullptr) {
#ifdef KB_PROTOCOL_CHECKS
  if (foreign_ && delay != nullptr) ProtocolChecker::before(socket_, payload_);
#endif
  // Attached last: a throw above must not leave it on the caller's payload.
  if (foreign_) payload.set_extension(&fallback_.emplace());
}

TargetCall::~TargetCall() {
  if (fallback_) payload_.clear_extension(&*fallback_);
}

void TargetCall::finish(const sc_core::sc_time& delay) const {
#ifdef KB_PROTOCOL_CHECKS
  if (foreign_) {
    ProtocolChecker::after(socket_, payload_, delay_before_, delay, address_, data_, length_);
  }
#else
  (void)delay;
#endif
}

}  // namespace kb::models

#include "models/common/initiator_port.h"

#include <fmt/format.h>

#include <stdexcept>

namespace kb::models {

namespace {
[[noreturn]] void violation(const char* socket, const std::string& rule) {
  throw std::logic_error(fmt::format("TLM protocol violation at {}: {}", socket, rule));
}
}  // namespace

void ProtocolChecker::before(const char* socket, const tlm::tlm_generic_payload& p) {
  if (p.get_response_status() != tlm::TLM_INCOMPLETE_RESPONSE) {
    violation(socket, "response status must be TLM_INCOMPLETE_RESPONSE before transport");
  }
  if (p.get_command() == tlm::TLM_IGNORE_COMMAND)
    violation(socket, "TLM_IGNORE_COMMAND is not used");
  if (p.get_data_length() == 0) violation(socket, "data length is 0");
  if (p.get_data_ptr() == nullptr) violation(socket, "data pointer is null");
  if (p.get_streaming_width() != p.get_data_length()) {
    violation(socket, "streaming width must equal the data length (no streaming)");
  }
  if (p.get_byte_enable_ptr() != nullptr && p.get_byte_enable_length() == 0) {
    violation(socket, "byte enable pointer without a byte enable length");
  }
}

void ProtocolChecker::after(const char* socket, const tlm::tlm_generic_payload& p,
                            const sc_core::sc_time& delay_before,
                            const sc_core::sc_time& delay_after, std::uint64_t address,
                            unsigned char* data, unsigned length) {
  if (p.get_response_status() == tlm::TLM_INCOMPLETE_RESPONSE) {
    violation(socket, "the target left the response status incomplete");
  }
  if (delay_after < delay_before) {
    violation(socket, fmt::format("the annotated delay decreased from {} to {}",
                                  delay_before.to_string(), delay_after.to_string()));
  }
  if (p.get_address() != address || p.get_data_ptr() != data || p.get_data_length() != length) {
    violation(socket, "the target changed the address, data pointer or data length");
  }
}

namespace {
std::uint64_t transactions = 0;
}  // namespace

std::uint64_t transaction_count() { return transactions; }

void InitiatorPort::transport(unsigned index, tlm::tlm_generic_payload& payload,
                              sc_core::sc_time& delay) {
  ++transactions;
#ifdef KB_PROTOCOL_CHECKS
  const sc_core::sc_time before = delay;
  const std::uint64_t address = payload.get_address();
  unsigned char* data = payload.get_data_ptr();
  const unsigned length = payload.get_data_length();
  ProtocolChecker::before(name_, payload);
  forward(index, payload, delay);
  ProtocolChecker::after(name_, payload, before, delay, address, data, length);
#else
  forward(index, payload, delay);
#endif
}

void InitiatorPort::forward(unsigned index, tlm::tlm_generic_payload& payload,
                            sc_core::sc_time& delay) {
  if (index < direct_.size()) {
    Direct& d = direct_[index];
    if (!d.probed) probe(d, index);
    if (d.target.call != nullptr) {
      d.target.call(d.target.port, d.target.binding, payload, delay);
      return;
    }
  }
  socket[static_cast<int>(index)]->b_transport(payload, delay);
}

void InitiatorPort::probe(Direct& d, unsigned index) {
  d.probed = true;
  if (!d.ours) return;
  // Asked through the socket, so the answer is the port the binding really reaches.
  tlm::tlm_generic_payload probe;
  probe.set_extension(&d.target);
  socket[static_cast<int>(index)]->transport_dbg(probe);
  probe.clear_extension(&d.target);
}

unsigned InitiatorPort::transport_dbg(unsigned index, tlm::tlm_generic_payload& payload) {
  return socket[static_cast<int>(index)]->transport_dbg(payload);
}

}  // namespace kb::models

#include "models/protocol/transaction.h"

namespace kb::models {

Transaction::Transaction() {
  payload_.set_extension(&transfer_);
  payload_.set_extension(&control_);
}

Transaction::~Transaction() {
  payload_.clear_extension(&transfer_);
  payload_.clear_extension(&control_);
}

tlm::tlm_generic_payload& Transaction::access(tlm::tlm_command command, std::uint64_t address,
                                              unsigned char* data, std::uint64_t length) {
  payload_.set_command(command);
  payload_.set_address(address);
  payload_.set_data_ptr(data);
  payload_.set_data_length(static_cast<unsigned int>(length));
  payload_.set_streaming_width(static_cast<unsigned int>(length));
  payload_.set_byte_enable_ptr(nullptr);
  payload_.set_byte_enable_length(0);
  payload_.set_dmi_allowed(false);
  payload_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  transfer_.tail_ps = 0;
  transfer_.occupancy_ps = 0;
  transfer_.path_latency_ps = 0;
  transfer_.zero_fill = false;
  transfer_.physical = false;
  transfer_.sideband = false;
  transfer_.credit_sink = nullptr;
  transfer_.window_from = nullptr;
  transfer_.shape = {};
  transfer_.burst_rows = 1;
  transfer_.burst_stride = 0;
  control_.message.reset();
  return payload_;
}

namespace {
// Stands for a control message's bytes on the wire: only its length is used (the message
// travels in the ControlExtension), so it is never written or read, and its pages are never
// touched. One buffer serves every transaction, grown to the longest message so far: a
// zero-filled vector per transaction cost every M_CPU a memset of the largest read it
// returned (1 GiB on four SIPs for 16 MiB per rank), and a buffer per transaction still
// reserved 256 MiB of address space for each M_CPU relaying a host copy of that size (256
// GiB at 64 SIPs, beyond what valgrind lets a process map). Targets never wait inside a
// transport, so no payload is in flight when it grows.
unsigned char* wire(std::uint64_t bytes) {
  static std::unique_ptr<unsigned char[]> buffer;
  static std::uint64_t size = 0;
  if (size < bytes) {
    buffer.reset(new unsigned char[bytes]);  // uninitialised on purpose: never read
    size = bytes;
  }
  return buffer.get();
}
}  // namespace

tlm::tlm_generic_payload& Transaction::control(std::uint64_t address,
                                               std::shared_ptr<const ControlMessage> message) {
  const std::uint64_t bytes = message->wire_bytes();
  access(tlm::TLM_WRITE_COMMAND, address, wire(bytes), bytes);
  transfer_.physical = true;
  control_.message = std::move(message);
  return payload_;
}

TransferExtension& transfer_of(tlm::tlm_generic_payload& payload) {
  auto* ext = payload.get_extension<TransferExtension>();
  if (ext == nullptr) {
    throw std::logic_error("payload without a TransferExtension: not issued by a Transaction");
  }
  return *ext;
}

const ControlMessage* control_of(const tlm::tlm_generic_payload& payload) {
  const auto* ext = payload.get_extension<ControlExtension>();
  return ext == nullptr ? nullptr : ext->message.get();
}

std::shared_ptr<const ControlMessage> shared_control_of(const tlm::tlm_generic_payload& payload) {
  const auto* ext = payload.get_extension<ControlExtension>();
  return ext == nullptr ? nullptr : ext->message;
}

}  // namespace kb::models

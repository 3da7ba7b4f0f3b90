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
  transfer_.path_latency_ps = 0;
  transfer_.zero_fill = false;
  transfer_.physical = false;
  transfer_.sideband = false;
  transfer_.credit_sink = nullptr;
  transfer_.shape = {};
  transfer_.burst_rows = 1;
  transfer_.burst_stride = 0;
  control_.message.reset();
  return payload_;
}

tlm::tlm_generic_payload& Transaction::control(std::uint64_t address,
                                               std::shared_ptr<const ControlMessage> message) {
  const std::uint64_t bytes = message->wire_bytes();
  if (wire_bytes_ < bytes) {
    wire_.reset(new unsigned char[bytes]);  // uninitialised on purpose: never read
    wire_bytes_ = bytes;
  }
  access(tlm::TLM_WRITE_COMMAND, address, wire_.get(), bytes);
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

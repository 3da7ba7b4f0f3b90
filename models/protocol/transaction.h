#pragma once
// One TLM-2.0 generic payload with the project's extensions attached for its lifetime.
// b_transport never yields in this model (targets annotate delay, they never wait()), so
// an initiator can reuse one Transaction for every call it makes: no allocation per
// transaction.

#include "models/common/sim_time.h"
#include "models/protocol/messages.h"
#include "models/protocol/stream_shape.h"

#include <tlm>

#include <memory>
#include <vector>

namespace kb::models {

class PeIpcq;

// Timing and routing side-band of a transfer.
struct TransferExtension : tlm::tlm_extension<TransferExtension> {
  // How far the tail of the data trails its head: the largest occupancy met so far on the
  // data's path (a stream's: its last byte's lag through the resources so far, pass_tail).
  // Cut-through: a transfer ends one tail lag after its head arrives.
  Picoseconds tail_ps = 0;
  // The longest a hop on the data's path takes to move it when idle: its tail lag unless
  // it is a stream (whose tail lag counts the gaps it was served in).
  Picoseconds occupancy_ps = 0;
  // The latency of the hops and memories crossed so far, without waits for busy resources
  // (a kernel's streamed load times its idle round trip from it; models/pe/pe_core.h); a flow
  // transfer's target derives the round trip of its credit window from it
  // (models/pe/pe_ipcq.h).
  Picoseconds path_latency_ps = 0;
  // Set by the IPCQ a transfer is written to: how long after its first entry the sender's
  // DMA issued the last (each entry waits for its credit), which a flow send returns to the
  // core (models/pe/pe_ipcq.h).
  Picoseconds last_issued_ps = 0;
  // Payload bytes are not moved (timing-only runs); timing is unchanged.
  bool timing_only = false;
  // A write that zero-fills its range; the data pointer is not read (M_CPU zero pattern).
  bool zero_fill = false;
  // The address is physical: the MMU passes it through untranslated.
  bool physical = false;
  // An IPCQ transfer's shape in time (a kernel's streamed access sets only its grain). One
  // longer than its entries (`shape.grain_bytes`) is a flow-fidelity stream: each resource
  // serves it in the idle time others leave (Resource::reserve_stream) rather than in one
  // contiguous booking, and an IPCQ target times its credit window from the shape.
  StreamShape shape;
  // Its entries' size if `bytes` of it are such a stream, else 0.
  std::uint64_t stream_grain(std::uint64_t bytes) const {
    return bytes > shape.grain_bytes ? shape.grain_bytes : 0;
  }
  // The tail past a resource that served the bytes over [begin, end), their head having
  // reached it at `arrived` (cut-through). A stream (`grain` not 0) is through once its
  // last byte has come in and been served: a head held back here does not hold back the
  // bytes an earlier resource trickled out meanwhile. A transaction (one entry) keeps the
  // lag of its slowest resource.
  void pass_tail(Picoseconds arrived, Picoseconds begin, Picoseconds end, std::uint64_t grain) {
    tail_ps =
        grain != 0 ? std::max(arrived + tail_ps, end) - begin : std::max(tail_ps, end - begin);
  }
  // Flow control on its own virtual channel (IPCQ credits): it pays latency at every hop
  // but never queues behind, nor delays, the data.
  bool sideband = false;
  // Set by the IPCQ that takes a credit message: itself, and when the message arrived. In
  // flow fidelity the sender then sends the pair's later credits to it directly, as late
  // after their issue as this one (a sideband path books nothing: its latency is fixed).
  PeIpcq* credit_sink = nullptr;
  Picoseconds credit_arrival_ps = 0;
  // Set by a flow IPCQ send of more than a queue's worth: the IPCQ it came from, told when
  // the receiver comes to take it (PeIpcq::begin_recv).
  PeIpcq* window_from = nullptr;
  // A 2-D burst: `burst_rows` rows of data_length / burst_rows bytes each, the rows
  // `burst_stride` bytes apart at the target (packed one after another in the data
  // buffer). 1 row: an ordinary contiguous access.
  std::uint32_t burst_rows = 1;
  std::uint64_t burst_stride = 0;
  // Who issued the access, for fault messages ("sip0.cube1.pe2 running 'gemm'").
  const std::string* initiator = nullptr;

  tlm::tlm_extension_base* clone() const override { return new TransferExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const TransferExtension&>(other);
  }
};

// A control message (or completion) carried by a write to an MMIO endpoint.
struct ControlExtension : tlm::tlm_extension<ControlExtension> {
  std::shared_ptr<const ControlMessage> message;

  tlm::tlm_extension_base* clone() const override { return new ControlExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const ControlExtension&>(other);
  }
};

class Transaction {
 public:
  Transaction();
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Prepares a read or write of `length` bytes at `address` from/to `data`.
  tlm::tlm_generic_payload& access(tlm::tlm_command command, std::uint64_t address,
                                   unsigned char* data, std::uint64_t length);
  // Prepares a control write of `message` to the MMIO endpoint at `address`.
  tlm::tlm_generic_payload& control(std::uint64_t address,
                                    std::shared_ptr<const ControlMessage> message);

  tlm::tlm_generic_payload& payload() { return payload_; }
  TransferExtension& transfer() { return transfer_; }

 private:
  tlm::tlm_generic_payload payload_;
  TransferExtension transfer_;
  ControlExtension control_;
};

TransferExtension& transfer_of(tlm::tlm_generic_payload& payload);
// The control message of a payload, or nullptr for a plain memory access.
const ControlMessage* control_of(const tlm::tlm_generic_payload& payload);
std::shared_ptr<const ControlMessage> shared_control_of(const tlm::tlm_generic_payload& payload);

}  // namespace kb::models

#pragma once
// One hop of a transfer through a link or a router port (cut-through timing).
//
// A request moves its payload bytes only for writes; the response moves them only for
// reads. Each hop books its resource for the bytes moving in its direction, adds its
// latency to the head, and widens the tail lag to the hop's occupancy if that is larger:
// with no contention a transfer takes the sum of latencies plus bytes / the bottleneck
// bandwidth. A stream (flow fidelity) is served in the gaps others leave: its last byte is
// through a hop once it has come in and the hop has served it, so its tail lag runs from
// the head's start here to the later of the two (TransferExtension::pass_tail).

#include "models/common/resource.h"
#include "models/protocol/transaction.h"

namespace kb::models {

// Hops one after another from the head time of a transaction: the simulation clock is read
// and the delay converted once for all of them, as every transaction crosses several
// (a router: its in and out ports each way).
class HopChain {
 public:
  HopChain(tlm::tlm_generic_payload& p, const sc_core::sc_time& delay)
      : HopChain(transfer_of(p), delay) {}
  // For a caller that has the payload's transfer extension already.
  HopChain(TransferExtension& t, const sc_core::sc_time& delay)
      : transfer_(t), now_(now_ps()), head_(now_ + to_ps(delay)) {}

  // Books `resource` for `bytes` at the head, then adds `latency`.
  void pass(Resource* resource, Picoseconds latency, std::uint64_t bytes) {
    TransferExtension& t = transfer_;
    if (resource != nullptr && bytes != 0 && !t.sideband) {
      const std::uint64_t grain = t.stream_grain(bytes);
      const Resource::Window w = resource->serve(head_, bytes, grain);
      t.pass_tail(head_, w.begin, w.end, grain);
      head_ = w.begin;
      t.occupancy_ps = std::max(t.occupancy_ps, w.occupancy);
    }
    t.path_latency_ps += latency;
    head_ += latency;
  }
  Picoseconds head() const { return head_; }
  const TransferExtension& transfer() const { return transfer_; }
  // The head as the transaction's delay from now.
  void store(sc_core::sc_time& delay) const { delay = from_ps(head_ - now_); }

 private:
  TransferExtension& transfer_;
  Picoseconds now_;
  Picoseconds head_;
};

inline void hop(Resource* resource, Picoseconds latency, std::uint64_t bytes,
                tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  HopChain chain(p, delay);
  chain.pass(resource, latency, bytes);
  chain.store(delay);
}

inline void request_hop(Resource* r, Picoseconds latency, tlm::tlm_generic_payload& p,
                        sc_core::sc_time& delay) {
  hop(r, latency, p.is_write() ? p.get_data_length() : 0, p, delay);
}

inline void response_hop(Resource* r, Picoseconds latency, tlm::tlm_generic_payload& p,
                         sc_core::sc_time& delay) {
  hop(r, latency, p.is_read() ? p.get_data_length() : 0, p, delay);
}

}  // namespace kb::models

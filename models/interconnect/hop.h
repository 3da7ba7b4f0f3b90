#pragma once
// One hop of a transfer through a link or a router port (cut-through timing).
//
// A request moves its payload bytes only for writes; the response moves them only for
// reads. Each hop books its resource for the bytes moving in its direction, adds its
// latency to the head, and widens the tail lag to the hop's occupancy if that is larger:
// with no contention a transfer takes the sum of latencies plus bytes / the bottleneck
// bandwidth. A stream (flow fidelity) is served in the gaps others leave: its tail lag
// is then the time from its first byte to its last on the hop.

#include "models/common/resource.h"
#include "models/protocol/transaction.h"

namespace kb::models {

inline void hop(Resource* resource, Picoseconds latency, std::uint64_t bytes,
                tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  const Picoseconds now = now_ps();
  Picoseconds head = now + to_ps(delay);
  TransferExtension& t = transfer_of(p);
  if (resource != nullptr && bytes != 0 && !t.sideband) {
    if (t.is_stream(bytes)) {
      const Resource::Window w = resource->reserve_stream(head, bytes, t.shape.grain_bytes);
      head = w.begin;
      t.tail_ps = std::max(t.tail_ps, w.end - w.begin);
    } else {
      head = resource->reserve(head, bytes);
      t.tail_ps = std::max(t.tail_ps, resource->occupancy(bytes));
    }
  }
  t.path_latency_ps += latency;
  delay = from_ps(head + latency - now);
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

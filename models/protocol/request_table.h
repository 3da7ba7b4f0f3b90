#pragma once
// Requests in flight and their completions: what an issuer of control messages keeps for
// each one it sends (the host's interface; a SIP's graph dispatcher, models/cube/
// graph_dispatch.h), and the waits of the threads that sent them. Issuers number their
// requests from disjoint ranges, so an M_CPU that takes requests from several of them tells
// the requests apart by id alone.

#include "models/protocol/messages.h"

#include <map>
#include <memory>
#include <systemc>
#include <vector>

namespace kb::models {

struct CubeTarget {
  std::uint32_t sip = 0;
  std::uint32_t cube = 0;
};

// A request outlives its use (a program's list of handles keeps every one), so it keeps
// metadata only once its payloads are consumed: a MemoryWrite's bytes go when the request
// completes (they are in the machine's memory then), a MemoryRead's when taken.
class IssuedRequest {
 public:
  std::uint64_t id() const { return id_; }
  const ControlMessage& message() const { return *message_; }
  const std::vector<CubeTarget>& targets() const { return targets_; }
  // Completions received so far, one per target cube, in arrival order.
  const std::vector<Completion>& completions() const { return completions_; }
  // Hands over completion `i`'s read bytes (null in timing-only runs, or once taken).
  std::shared_ptr<const std::vector<unsigned char>> take_data(std::size_t i);
  Picoseconds submitted_ps() const { return submitted_ps_; }
  // When the last completion arrives (valid once all have been delivered).
  Picoseconds done_ps() const { return done_ps_; }
  // True once every completion has arrived by the current simulated time.
  bool is_completed() const;
  // Waits until every completion has arrived; call from an SC_THREAD.
  void wait();

 private:
  friend class RequestTable;
  std::uint64_t id_ = 0;
  std::shared_ptr<const ControlMessage> message_;
  std::vector<CubeTarget> targets_;
  std::vector<Completion> completions_;
  Picoseconds submitted_ps_ = 0;
  Picoseconds done_ps_ = 0;
  bool all_delivered_ = false;
  sc_core::sc_event delivered_;
};

class RequestTable {
 public:
  // Ids count from `first_id`.
  explicit RequestTable(std::uint64_t first_id) : next_id_(first_id) {}

  // Records `message` as sent now to `targets`, its request_id and reply_to filled in.
  std::shared_ptr<IssuedRequest> open(std::shared_ptr<ControlMessage> message,
                                      std::vector<CubeTarget> targets, std::uint64_t reply_to);
  // Records `completion`, arriving at `arrival`; false when no open request has its id.
  bool deliver(const Completion& completion, Picoseconds arrival);

 private:
  std::uint64_t next_id_;
  std::map<std::uint64_t, std::shared_ptr<IssuedRequest>> outstanding_;
};

}  // namespace kb::models

#pragma once
// One rank's side of a collective: its working buffer (a one-row tile), the ranks around
// it, and the data movement every algorithm is built from (exchange).

#include "runtime/ccl/bundle.h"
#include "runtime/ccl/collective.h"
#include "runtime/ccl/install_plan.h"
#include "runtime/kernel/kernel_context.h"
#include "runtime/memory/pe_memory_allocator.h"

#include <functional>
#include <optional>
#include <vector>

namespace kb::runtime {

enum class ReduceOp { sum, max, min, avg };
const char* to_string(ReduceOp op);

// Elements [begin, begin + len) of a rank's buffer.
struct Span {
  std::int64_t begin = 0;
  std::int64_t len = 0;
};

// What a received piece does to the buffer.
enum class Combine { copy, reduce };

struct SendTo {
  std::uint32_t peer;
  Span span;
};

struct RecvFrom {
  std::uint32_t peer;
  Span span;
  Combine combine;
};

class RankComm {
 public:
  // `ready`: when each part of `tracked` elements of the buffer is in (tracked_elements).
  RankComm(KernelContext& k, std::uint32_t rank, const IpcqPlan& plan, ReduceOp op, Tile buffer,
           std::int64_t tracked, std::vector<models::Picoseconds> ready);

  KernelContext& k;
  const std::uint32_t rank;
  const std::uint32_t world;
  const std::vector<PeCoord>& rank_to_pe;
  const std::vector<std::uint32_t>& sip_levels;      // the plan's (IpcqPlan::sip_levels)
  const std::vector<std::string>& level_algorithms;  // the plan's (CclAlgorithmConfig::levels)
  const ReduceOp op;
  Tile buffer;

  std::int64_t piece_elements() const { return piece_; }
  // The elements whose readiness is tracked together (`ready`, one time per such part of
  // the buffer): a piece in transaction fidelity; in flow fidelity parts large enough that
  // a buffer has about kFlowParts of them at most, each within one of the algorithm's
  // chunks of `chunk_elements` (0: none) where whole pieces allow, so that chunks are
  // tracked alike whatever their size.
  static std::int64_t tracked_elements(const IpcqPlan& plan, DType dtype, models::Fidelity f,
                                       std::int64_t buffer_elements, std::int64_t chunk_elements);
  static constexpr std::int64_t kFlowParts = 4096;
  // Sends one span while receiving another, piece by piece, combining what arrives into
  // the buffer; either side may be absent. In flow fidelity each side is one transfer,
  // timed as its pieces would have been (docs/adr/0017-flow-fidelity.md).
  void exchange(const std::optional<SendTo>& send, const std::optional<RecvFrom>& recv);
  // Several at once (channels: send i paired with receive i, as both directions of a
  // bidirectional ring), their pieces interleaved so that every channel's transfers are in
  // flight together.
  void exchange(const std::vector<SendTo>& sends, const std::vector<RecvFrom>& recvs);
  // Sends the spans `out` to `to` back to back while receiving `in` from `from` (a
  // scatter-gather list each way: the peer's lists match piece for piece).
  void exchange(std::uint32_t to, const std::vector<Span>& out, std::uint32_t from,
                const std::vector<Span>& in, Combine combine);
  void send(std::uint32_t to, Span span) { exchange(SendTo{to, span}, std::nullopt); }
  void recv(std::uint32_t from, Span span, Combine combine) {
    exchange(std::nullopt, RecvFrom{from, span, combine});
  }
  // Copies `from` to the elements at `to` within the buffer once `from` is in: a local
  // move (packing blocks before a send, unpacking after a receive), one vector pass over
  // its elements on the core.
  void copy(Span from, std::int64_t to);
  // Divides `span` by the world size when the op is avg (the last step of an average).
  void scale_if_avg(Span span);
  // Called when a span of the buffer holds its final value (the runner stores it).
  std::function<void(Span)> on_final;
  // A collective of a subgroup (subgroup() of the installed plan): each of its ranks' rank
  // in the installed plan, whose queues carry the transfers.
  void map_ranks(const std::vector<std::uint32_t>* installed) { installed_ = installed; }
  // This rank leads `bundle` (runtime/ccl/bundle.h): what it receives from a copy it takes
  // from that edge's congruent copy.
  void lead(const Bundle* bundle) { bundle_ = bundle; }
  // The copy a leader's last send left from, if it went to a copy: its PE's port carries the
  // leader's sends, so the leader's stores go out by it too (runtime/host/distributed.cpp).
  const std::optional<std::uint32_t>& sending_copy() const { return sending_copy_; }
  // Flow fidelity: moves a queue's worth at a time rather than a whole span
  // (CclAlgorithm::flow_by_queue).
  void flow_by_queue(bool on) { flow_by_queue_ = on; }

 private:
  // One peer's side of an exchange: its `count` spans in order (the caller's), and how
  // received ones combine.
  struct Channel {
    std::uint32_t peer;
    const Span* spans;
    std::size_t count;
    Combine combine;
  };
  // Each channel's spans cut into units, walked in order: how many there are, how many
  // are taken, and the next.
  struct Units {
    const Channel* channel;
    std::int64_t unit;
    std::size_t count = 0, taken = 0, span = 0;
    std::int64_t offset = 0;
    Units(const Channel& c, std::int64_t size);
    Span next();
    Span peek() const;  // what next() returns, not taken
  };
  // Runs sends_ and recvs_ (a step's channels; kept between steps, as are units_out_ and
  // units_in_, so that the many steps of a collective allocate nothing).
  void run_channels();
  std::vector<Channel> sends_, recvs_;
  std::vector<Units> units_out_, units_in_;
  // Flow fidelity: when the step's sends so far issued their last entries. Entry by entry a
  // rank takes its receives between its sends (run_channels), so it takes the last piece
  // it receives no earlier than this, whatever the piece's arrival.
  models::Picoseconds sent_ = 0;
  bool flow_by_queue_ = false;
  // When the first and the last part of `span` are in the buffer.
  models::StreamArrival readiness(Span span) const;
  void wait_ready(Span span);
  void mark_ready(Span span);
  void send_part(std::uint32_t peer, Span part);
  // Whether step piece `p`'s sends ahead go on before its receive (entry by entry, the one
  // whose credits or data are there first; flow times them analytically, so always).
  bool sends_ahead_first(std::uint32_t to, const Units& out, std::size_t p) const;
  void recv_part(std::uint32_t peer, Span part, Combine combine);
  // Flow fidelity, step piece `p`: comes for the receives' transfers, pays the sends' issue,
  // and learns when the sends' last entries left.
  void come_for_takes(std::size_t p);
  // Flow fidelity: the step's sends of more than a queue's worth (to the queue `to`, from
  // the queues of `from` if a bundle's copy), and the cycles to issue the step's pieces.
  struct Window {
    std::uint32_t to;
    std::optional<models::PeLocation> from;
  };
  std::vector<Window> windows_;
  std::uint64_t issue_cycles_ = 0;
  std::uint64_t bytes_of(std::int64_t elements) const {
    return static_cast<std::uint64_t>(elements) * itemsize(buffer.dtype());
  }
  std::uint64_t overhead_cycles() const;
  std::int64_t pieces_of(Span span) const { return (span.len + piece_ - 1) / piece_; }
  Tile reduce(const Tile& a, const Tile& b);
  std::int64_t piece_;
  std::int64_t lookahead_;  // pieces sent ahead of receives
  const IpcqPlan& plan_;
  std::uint32_t queue_of(std::uint32_t peer) const {
    return installed_ != nullptr ? (*installed_)[peer] : peer;
  }
  const std::vector<std::uint32_t>* installed_ = nullptr;
  const Bundle* bundle_ = nullptr;
  std::optional<std::uint32_t> sending_copy_;
  std::int64_t tracked_;                    // elements per entry of ready_
  std::vector<models::Picoseconds> ready_;  // per tracked part of the buffer: when it is in
};

}  // namespace kb::runtime

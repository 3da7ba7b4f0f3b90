#include "runtime/ccl/rank_comm.h"

#include <algorithm>

namespace kb::runtime {

const char* to_string(Collective c) {
  switch (c) {
    case Collective::all_reduce: return "all_reduce";
    case Collective::reduce_scatter: return "reduce_scatter";
    case Collective::all_gather: return "all_gather";
    case Collective::broadcast: return "broadcast";
    case Collective::all_to_all: return "all_to_all";
    case Collective::barrier: return "barrier";
  }
  return "?";
}

const char* to_string(ReduceOp op) {
  switch (op) {
    case ReduceOp::sum: return "sum";
    case ReduceOp::max: return "max";
    case ReduceOp::min: return "min";
    case ReduceOp::avg: return "avg";
  }
  return "?";
}

RankComm::RankComm(KernelContext& kernel, std::uint32_t my_rank, const IpcqPlan& plan,
                   ReduceOp reduce_op, Tile data, std::vector<models::Picoseconds> ready)
    : k(kernel),
      rank(my_rank),
      world(plan.world_size),
      rank_to_pe(plan.rank_to_pe),
      op(reduce_op),
      buffer(std::move(data)),
      piece_(plan.piece_elements(buffer.dtype())),
      lookahead_(plan.lookahead_pieces(buffer.dtype())),
      ready_(std::move(ready)) {}

void RankComm::wait_ready(Span span) {
  models::Picoseconds at = 0;
  const auto pieces = static_cast<std::int64_t>(ready_.size());
  for (std::int64_t p = span.begin / piece_;
       p <= (span.begin + span.len - 1) / piece_ && p < pieces; ++p) {
    at = std::max(at, ready_[static_cast<std::size_t>(p)]);
  }
  k.wait_until(at);
}

Tile RankComm::reduce(const Tile& a, const Tile& b) {
  switch (op) {
    case ReduceOp::max: return k.maximum(a, b);
    case ReduceOp::min: return k.minimum(a, b);
    default: return k.add(a, b);  // sum, and avg before its final scaling
  }
}

void RankComm::scale_if_avg(Span span) {
  if (op != ReduceOp::avg || span.len == 0) return;
  // A division, not a multiplication by 1/W: integer averages truncate exactly.
  buffer.assign(span.begin,
                k.div(buffer.slice(span.begin, span.len), k.full(1, 1, buffer.dtype(), world)));
}

void RankComm::exchange(const std::optional<SendTo>& send, const std::optional<RecvFrom>& recv) {
  const std::int64_t sends = send ? (send->span.len + piece_ - 1) / piece_ : 0;
  const std::int64_t recvs = recv ? (recv->span.len + piece_ - 1) / piece_ : 0;
  // Sends run up to lookahead_ pieces ahead of receives, so the link stays busy while this
  // rank reduces, but never further than its peer's queue holds.
  std::int64_t sent = 0;
  for (std::int64_t p = 0; p < std::max(sends, recvs); ++p) {
    for (; sent < sends && sent <= p + lookahead_; ++sent) {
      const Span& s = send->span;
      const std::int64_t b = s.begin + sent * piece_, n = std::min(piece_, s.begin + s.len - b);
      wait_ready({b, n});
      k.send(send->peer, buffer.slice(b, n));
    }
    if (p < recvs) {
      const Span& r = recv->span;
      const std::int64_t b = r.begin + p * piece_, n = std::min(piece_, r.begin + r.len - b);
      const Tile got = k.recv(recv->peer, 1, n, buffer.dtype());
      buffer.assign(b, recv->combine == Combine::reduce ? reduce(buffer.slice(b, n), got) : got);
      const auto pieces = static_cast<std::int64_t>(ready_.size());
      for (std::int64_t q = b / piece_; q <= (b + n - 1) / piece_ && q < pieces; ++q) {
        ready_[static_cast<std::size_t>(q)] = 0;  // in the buffer now
      }
    }
  }
}

}  // namespace kb::runtime

#include "runtime/ccl/rank_comm.h"

#include <algorithm>

namespace kb::runtime {

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
                   ReduceOp reduce_op, Tile data, std::int64_t tracked,
                   std::vector<models::Picoseconds> ready)
    : k(kernel),
      rank(my_rank),
      world(plan.world_size),
      rank_to_pe(plan.rank_to_pe),
      sip_levels(plan.sip_levels),
      level_algorithms(plan.config.levels),
      op(reduce_op),
      buffer(std::move(data)),
      piece_(plan.piece_elements(buffer.dtype())),
      lookahead_(plan.lookahead_pieces(buffer.dtype())),
      plan_(plan),
      tracked_(tracked),
      ready_(std::move(ready)) {}

std::int64_t RankComm::tracked_elements(const IpcqPlan& plan, DType dtype, models::Fidelity f,
                                        std::int64_t buffer_elements, std::int64_t chunk_elements) {
  const std::int64_t piece = plan.piece_elements(dtype);
  if (f == models::Fidelity::transaction) return piece;
  const std::int64_t pieces = (buffer_elements + piece - 1) / piece;
  const std::int64_t most = std::max<std::int64_t>(1, (pieces + kFlowParts - 1) / kFlowParts);
  if (chunk_elements <= 0 || chunk_elements % piece != 0) return piece * most;
  const std::int64_t chunk = chunk_elements / piece;  // in pieces
  if (chunk <= most) return chunk_elements;           // a part per chunk
  // The largest part of at most `most` pieces that divides a chunk; none of at least
  // half that (a chunk of few divisors) would track too many parts: parts as without chunks.
  for (std::int64_t d = most; 2 * d >= most; --d)
    if (chunk % d == 0) return piece * d;
  return piece * most;
}

models::StreamArrival RankComm::readiness(Span span) const {
  models::StreamArrival at;
  const auto parts = static_cast<std::int64_t>(ready_.size());
  for (std::int64_t p = span.begin / tracked_;
       p <= (span.begin + span.len - 1) / tracked_ && p < parts; ++p) {
    const models::Picoseconds t = ready_[static_cast<std::size_t>(p)];
    if (p == span.begin / tracked_) at.first = t;
    at.last = std::max(at.last, t);
  }
  return at;
}

void RankComm::wait_ready(Span span) { k.wait_until(readiness(span).last); }

void RankComm::mark_ready(Span span) {
  const auto parts = static_cast<std::int64_t>(ready_.size());
  for (std::int64_t q = span.begin / tracked_;
       q <= (span.begin + span.len - 1) / tracked_ && q < parts; ++q) {
    ready_[static_cast<std::size_t>(q)] = 0;  // in the buffer now
  }
}

void RankComm::copy(Span from, std::int64_t to) {
  wait_ready(from);
  buffer.assign(to, k.cast(buffer.slice(from.begin, from.len), buffer.dtype()));
  mark_ready({to, from.len});
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
  std::vector<SendTo> sends;
  std::vector<RecvFrom> recvs;
  if (send) sends.push_back(*send);
  if (recv) recvs.push_back(*recv);
  exchange(sends, recvs);
}

void RankComm::exchange(const std::vector<SendTo>& sends, const std::vector<RecvFrom>& recvs) {
  sends_.clear();
  recvs_.clear();
  for (const SendTo& s : sends) sends_.push_back({s.peer, &s.span, 1, Combine::copy});
  for (const RecvFrom& r : recvs) recvs_.push_back({r.peer, &r.span, 1, r.combine});
  run_channels();
}

void RankComm::exchange(std::uint32_t to, const std::vector<Span>& out, std::uint32_t from,
                        const std::vector<Span>& in, Combine combine) {
  sends_.assign(1, {to, out.data(), out.size(), Combine::copy});
  recvs_.assign(1, {from, in.data(), in.size(), combine});
  run_channels();
}

RankComm::Units::Units(const Channel& c, std::int64_t size) : channel(&c), unit(size) {
  for (std::size_t i = 0; i < c.count; ++i)
    count += static_cast<std::size_t>((c.spans[i].len + unit - 1) / unit);
}

Span RankComm::Units::next() {
  while (channel->spans[span].len <= offset) {
    ++span;
    offset = 0;
  }
  const Span& s = channel->spans[span];
  const Span u{s.begin + offset, std::min(unit, s.len - offset)};
  offset += unit;
  ++taken;
  return u;
}

void RankComm::run_channels() {
  const std::vector<Channel>& sends = sends_;
  const std::vector<Channel>& recvs = recvs_;
  const bool flow = k.fidelity() == models::Fidelity::flow;
  // Flow fidelity moves each span as one transfer, timed as its pieces would be, or a
  // queue's worth at a time.
  std::int64_t unit = piece_, ahead = lookahead_;
  if (flow) {
    for (const auto* side : {&sends, &recvs})
      for (const Channel& c : *side)
        for (std::size_t i = 0; i < c.count; ++i) unit = std::max(unit, c.spans[i].len);
    if (flow_by_queue_) {
      const auto queue = static_cast<std::int64_t>(plan_.queue_bytes() / itemsize(buffer.dtype()));
      unit = std::min(unit, std::max(piece_, queue));
    }
    ahead = plan_.lookahead_of(static_cast<std::uint64_t>(unit) * itemsize(buffer.dtype()));
  }
  std::vector<Units>& out = units_out_;
  std::vector<Units>& in = units_in_;
  out.clear();
  in.clear();
  sent_ = 0;
  std::size_t most = 0;
  for (const Channel& c : sends) most = std::max(most, out.emplace_back(c, unit).count);
  for (const Channel& c : recvs) most = std::max(most, in.emplace_back(c, unit).count);
  // Sends run up to `ahead` units ahead of receives, so the links stay busy while this
  // rank reduces, but never further than its peers' queues hold. A send ahead waiting for
  // credits does not hold back a receive whose data is there first: the credits the receive
  // frees may be what the peer's own sends wait for.
  for (std::size_t p = 0; p < most; ++p) {
    for (std::size_t c = 0; c < sends.size(); ++c) {
      while (out[c].taken < out[c].count && out[c].taken <= p + static_cast<std::size_t>(ahead)) {
        if (out[c].taken > p && !sends_ahead_first(sends[c].peer, out[c], p)) break;
        send_part(sends[c].peer, out[c].next());
      }
    }
    if (flow) come_for_takes(p);
    for (std::size_t c = 0; c < recvs.size(); ++c) {
      if (p < in[c].count) recv_part(recvs[c].peer, in[c].next(), recvs[c].combine);
    }
  }
}

void RankComm::come_for_takes(std::size_t p) {
  // Entry by entry a rank takes its first piece of each receive after sending its first few,
  // and paces its peers' transfers of more than a queue's worth from then: so it comes for
  // them once its own sends are posted, before it pays their pieces' issue. Its own such
  // transfers go on as their receivers come for them, and its takes wait for their last
  // entries (sent_): it learns when those left once all its receives were come for, so that
  // no two ranks wait for each other's coming.
  for (std::size_t c = 0; c < recvs_.size(); ++c) {
    const Units& in = units_in_[c];
    // A unit of the step's size first: most steps' are within a queue.
    if (p < in.count && plan_.beyond_queue(bytes_of(in.unit)) &&
        plan_.beyond_queue(bytes_of(in.peek().len))) {
      k.begin_recv(queue_of(recvs_[c].peer));
    }
  }
  if (issue_cycles_ != 0) {
    // The pieces' issue is the core's own work: the next call that times anything
    // synchronises for it (every access and transfer starts with one).
    const models::DeferredSync issuing(k.pe());
    k.pe().compute(issue_cycles_);
    issue_cycles_ = 0;
  }
  for (const Window& w : windows_) {
    sent_ = std::max(sent_, k.window_taken(w.to, w.from ? &*w.from : nullptr));
  }
  windows_.clear();
}

Span RankComm::Units::peek() const {
  Units copy = *this;
  return copy.next();
}

bool RankComm::sends_ahead_first(std::uint32_t to, const Units& out, std::size_t p) const {
  if (k.fidelity() == models::Fidelity::flow) return true;
  for (std::size_t c = 0; c < recvs_.size(); ++c) {
    if (p >= units_in_[c].count) continue;
    return k.send_goes_first(queue_of(to), bytes_of(out.peek().len), queue_of(recvs_[c].peer),
                             bytes_of(units_in_[c].peek().len));
  }
  return true;
}

void RankComm::send_part(std::uint32_t peer, Span part) {
  // To a bundle's copy: the congruent edge, from the copy that ends at a leader.
  std::uint32_t to = queue_of(peer);
  std::optional<models::PeLocation> from;
  sending_copy_.reset();
  if (bundle_ != nullptr && !bundle_->leads(peer)) {
    const Bundle::Edge copy = bundle_->send_copy(rank, peer);
    const PeCoord& pe = rank_to_pe[copy.from];
    from = models::PeLocation{pe.sip, pe.cube, pe.pe};
    to = copy.to;
    sending_copy_ = copy.from;
  }
  const models::PeLocation* at = from ? &*from : nullptr;
  if (k.fidelity() == models::Fidelity::transaction) {
    wait_ready(part);
    k.send(to, buffer.slice(part.begin, part.len), {}, at);
    return;
  }
  // The DMA starts with the part's first piece and streams the rest as it becomes ready;
  // the peer takes it piece by piece, which paces the credits: a piece's credits go back
  // when its recv takes it, before the peer combines it (its combining holds back only the
  // recvs after it, which the receiver's own timing counts). The core pays each piece's
  // issue as it would piece by piece.
  const models::StreamArrival ready = readiness(part);
  k.wait_until(ready.first);
  const models::Picoseconds local = k.pe().local_time_ps();
  models::StreamShape shape;
  shape.spread = ready.last > local ? ready.last - local : 0;
  shape.unit_bytes = static_cast<std::uint64_t>(piece_) * itemsize(buffer.dtype());
  shape.unit_ps = models::cycles_to_ps(overhead_cycles(), k.costs().freq_ghz);
  sent_ = std::max(sent_, k.send(to, buffer.slice(part.begin, part.len), shape, at));
  if (plan_.beyond_queue(bytes_of(part.len))) windows_.push_back({to, from});
  issue_cycles_ += static_cast<std::uint64_t>(pieces_of(part) - 1) * overhead_cycles();
}

void RankComm::recv_part(std::uint32_t peer, Span part, Combine combine) {
  auto combined = [&](const Tile& got) {
    return combine == Combine::reduce ? reduce(buffer.slice(part.begin, part.len), got) : got;
  };
  if (k.fidelity() == models::Fidelity::transaction) {
    buffer.assign(part.begin, combined(k.recv(queue_of(peer), 1, part.len, buffer.dtype())));
    mark_ready(part);
    return;
  }
  // Pipelined as pieces: piece i is combined once it is in and piece i - 1 is done, so with
  // arrivals spread evenly the last piece is done at max(first arrival + all the work, last
  // arrival + one piece's work); the core pays every piece's recv and combine. The last
  // piece is taken (its entries freed) once it is in and this rank has sent its own.
  // Taking the data only waits for it (on its arrival, PeIpcq): the recv's issue, and the
  // pieces' issue the send deferred, need no synchronisation of their own.
  const KernelContext::Received got = [&] {
    const models::DeferredSync receiving(k.pe());
    return k.recv_stream(queue_of(peer), 1, part.len, buffer.dtype(), sent_);
  }();
  const models::Picoseconds taken = std::max(got.arrival.last, sent_);
  const models::Picoseconds start = std::max(k.pe().local_time_ps(), got.arrival.first);
  // From here to the part's end the core only computes: one synchronisation, at the end.
  const std::int64_t pieces = pieces_of(part);
  models::Picoseconds work = 0;
  {
    const models::DeferredSync combining(k.pe());
    k.wait_until(start);
    k.pe().compute(static_cast<std::uint64_t>(pieces - 1) * (combine == Combine::reduce ? 2 : 1) *
                   overhead_cycles());
    buffer.assign(part.begin, combined(got.tile));
    work = k.pe().local_time_ps() - start;
  }
  k.wait_until(taken + work / static_cast<models::Picoseconds>(pieces));
  mark_ready(part);
}

std::uint64_t RankComm::overhead_cycles() const {
  return static_cast<std::uint64_t>(k.costs().op_overhead_cycles);
}

}  // namespace kb::runtime

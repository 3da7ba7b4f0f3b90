// Bidirectional ring: the ring's reduce-scatter and all-gather on half of every chunk
// clockwise and on the other half counter-clockwise at once, so that every link carries
// half the bytes each way where the ring leaves one direction idle. It halves the ring's
// time where the links between ranks bind (slow inter-SIP or scale-out links); a rank's
// own port moves as many bytes as before, so where that port binds it gains nothing.
#include "runtime/ccl/patterns.h"

namespace kb::runtime::ccl {

namespace {

// One way round: the ranks in ring order (the world reversed for counter-clockwise), and
// which half of each chunk it carries. Chunk indices are the direction's own, so that the
// chunk a rank completes is the one ring.cpp's would (rank order reversed back).
struct Way {
  Group g;
  bool reversed = false;
  int half = 0;
  std::int64_t actual(std::int64_t c) const {
    return reversed ? static_cast<std::int64_t>(g.size()) - 1 - c : c;
  }
};

Span half_of(const Span& whole, int half) {
  const std::int64_t first = whole.len / 2;
  return half == 0 ? Span{whole.begin, first} : Span{whole.begin + first, whole.len - first};
}

class BidirectionalRing : public CclAlgorithm {
 public:
  std::string name() const override { return "bidirectional_ring"; }
  std::string summary() const override {
    return "ring on half of each chunk each way round at once: both link directions busy";
  }
  bool supports(Collective c) const override {
    return c == Collective::all_reduce || c == Collective::reduce_scatter ||
           c == Collective::all_gather || c == Collective::barrier;
  }
  std::vector<std::uint32_t> neighbours(std::uint32_t r, const IpcqPlan& plan) const override {
    return ring_neighbours(r, plan.rank_to_pe.size());
  }

  void run(RankComm& c, const CollectiveCall& call) const override {
    const Group forward = whole_world(c);
    Group backward;
    backward.ranks.assign(forward.ranks.rbegin(), forward.ranks.rend());
    backward.me = forward.size() - 1 - forward.me;
    const std::vector<Way> ways = {{forward, false, 0}, {backward, true, 1}};
    const std::int64_t n = call.count, W = c.world;
    const bool all_reduce = call.kind == Collective::all_reduce || call.kind == Collective::barrier;
    // Chunk c of the buffer: all_reduce cuts its n elements in W; the others hold W chunks
    // of n, chunk r rank r's.
    auto chunk_of = [&](std::int64_t at) {
      return all_reduce ? chunk(0, n, W, at) : Span{at * n, n};
    };
    // W - 1 steps of both ways at once: each sends the chunk it has to its next rank and
    // takes the one before from its previous. `reduce`: combining (a reduce-scatter); else
    // copying (an all-gather), reporting what arrives when `report`.
    auto phase = [&](bool reduce, std::int64_t shift, bool report) {
      for (std::int64_t s = 0; s + 1 < W; ++s) {
        std::vector<SendTo> sends;
        std::vector<RecvFrom> recvs;
        for (const Way& way : ways) {
          const auto i = static_cast<std::int64_t>(way.g.me);
          const std::int64_t lead = reduce ? 0 : 1;
          const Span out = half_of(chunk_of(way.actual(wrap(i - s + lead + shift, W))), way.half);
          const Span in =
              half_of(chunk_of(way.actual(wrap(i - s - 1 + lead + shift, W))), way.half);
          sends.push_back({way.g.at(i + 1), out});
          recvs.push_back({way.g.at(i - 1), in, reduce ? Combine::reduce : Combine::copy});
        }
        c.exchange(sends, recvs);
        for (const RecvFrom& r : recvs)
          if (report && r.span.len > 0) c.on_final(r.span);
      }
    };
    // After a reduce-scatter of `shift`, the halves each way completed here.
    auto completed = [&](std::int64_t shift) {
      std::vector<Span> mine;
      for (const Way& way : ways) {
        const auto i = static_cast<std::int64_t>(way.g.me);
        mine.push_back(half_of(chunk_of(way.actual(wrap(i + 1 + shift, W))), way.half));
      }
      return mine;
    };
    switch (call.kind) {
      case Collective::all_reduce:
      case Collective::barrier:
        phase(true, 0, false);
        for (const Span& mine : completed(0)) {
          c.scale_if_avg(mine);
          if (mine.len > 0) c.on_final(mine);
        }
        phase(false, 0, true);
        break;
      case Collective::reduce_scatter:
        phase(true, -1, false);  // leaves chunk `rank` here
        for (const Span& mine : completed(-1)) {
          c.scale_if_avg(mine);
          if (mine.len > 0) c.on_final(mine);
        }
        break;
      case Collective::all_gather: phase(false, -1, true); break;
      default: require_support(*this, call.kind); break;
    }
  }

  // The ring's, with half the bytes over each way's narrowest path (a half chunk's chain
  // around it); a rank's port still carries its whole input and what it receives.
  double bound_ns(Collective kind, double bytes, const CollectiveFabric& f) const override {
    const double bandwidth = std::max((1 + f.spread()) * bytes / f.port_gbps,
                                      f.spread() * bytes / 2 / f.worst.beta_gbps);
    const double phase =
        std::max(f.ring_alpha_ns + bytes / f.world / 2 / f.worst.beta_gbps, bandwidth);
    switch (kind) {
      case Collective::all_reduce:
      case Collective::barrier: return 2 * phase;
      case Collective::reduce_scatter:
      case Collective::all_gather: return phase;
      default: break;
    }
    return 0;
  }
};

}  // namespace

KB_REGISTER_CCL_ALGORITHM(BidirectionalRing);

}  // namespace kb::runtime::ccl

// Ring: reduce-scatter then all-gather around a ring of ranks; broadcast as a pipeline
// around the ring from the root.
#include "runtime/ccl/patterns.h"

namespace kb::runtime::ccl {

namespace {

class Ring : public CclAlgorithm {
 public:
  std::string name() const override { return "ring"; }
  std::string summary() const override { return "reduce-scatter + all-gather around a ring"; }
  bool supports(Collective c) const override { return c != Collective::all_to_all; }
  std::vector<std::uint32_t> neighbours(std::uint32_t r, const IpcqPlan& plan) const override {
    return ring_neighbours(r, plan.rank_to_pe.size());
  }

  // Step s of rank r sends chunk r - s (reduce-scatter alone: r - 1 - s; all-gather: its
  // own chunk first). The broadcast starts at its root.
  std::optional<std::int64_t> shifted_start(Collective kind) const override {
    switch (kind) {
      case Collective::all_reduce:
      case Collective::barrier:
      case Collective::all_gather: return 0;
      case Collective::reduce_scatter: return -1;
      default: return std::nullopt;
    }
  }

  void run(RankComm& c, const CollectiveCall& call) const override {
    const Group g = whole_world(c);
    const std::int64_t n = call.count;
    switch (call.kind) {
      case Collective::all_reduce:
      case Collective::barrier: ring_all_reduce(c, g, n, true); break;
      case Collective::reduce_scatter: {
        ring_reduce_scatter(c, g, 0, n * c.world, -1);  // leaves chunk `rank` here
        const Span mine{c.rank * n, n};
        c.scale_if_avg(mine);
        c.on_final(mine);
        break;
      }
      case Collective::all_gather: ring_all_gather(c, g, 0, n * c.world, -1, true); break;
      case Collective::broadcast: {
        // Piece by piece, received then passed on.
        const std::int64_t v = wrap(static_cast<std::int64_t>(c.rank) - call.root, c.world);
        const std::int64_t piece = c.piece_elements();
        for (std::int64_t b = 0; b < n; b += piece) {
          const Span span{b, std::min(piece, n - b)};
          if (v > 0) c.recv(g.at(c.rank - 1), span, Combine::copy);
          if (v + 1 < c.world) c.send(g.at(c.rank + 1), span);
        }
        c.on_final({0, n});
        break;
      }
      case Collective::all_to_all: require_support(*this, call.kind); break;
    }
  }

  // A phase takes the longer of a chunk's chain around the ring and the bytes through the
  // busiest port or path (ring_phase_ns).
  double bound_ns(Collective kind, double bytes, const CollectiveFabric& f) const override {
    switch (kind) {
      case Collective::all_reduce:
      case Collective::barrier: return 2 * ring_phase_ns(bytes, bytes / f.world, f);
      case Collective::reduce_scatter:
      case Collective::all_gather: return ring_phase_ns(bytes, bytes / f.world, f);
      case Collective::broadcast: return forwarded_broadcast_ns(f.ring_alpha_ns, bytes, f);
      case Collective::all_to_all: break;
    }
    return 0;
  }

  // Credit windows: every step whose chunk holds data sends at least one entry over every
  // edge, at most `depth` entries are in flight per edge, and an entry's credit comes back
  // no sooner than a round trip over the edge: past the first `depth` entries, each further
  // queue's worth waits a round trip. Small steps over slow edges are bound by
  // this, not by bandwidth. A buffer of fewer elements than ranks (at least bytes / 4, the
  // widest dtype's) leaves chunks empty: a phase's W - 1 steps send all chunks but one, so
  // at least as many of them as hold an element, less one.
  Bound extra_terms(Collective kind, double bytes, const CollectiveFabric& f) const override {
    const double W = f.world;
    if (W < 2) return {};
    double entries = std::ceil(bytes / f.entry_bytes);  // broadcast: the buffer once
    if (kind != Collective::broadcast) {
      constexpr double kWidestItem = 4;
      const double phases =
          kind == Collective::reduce_scatter || kind == Collective::all_gather ? 1 : 2;
      const double sending = std::max(0.0, std::min(W, std::floor(bytes / kWidestItem)) - 1);
      entries = phases * sending * std::max(1.0, std::ceil(bytes / W / f.entry_bytes));
    }
    Bound b;
    // The first queue's worth needs no credit.
    b.add("credit_window", std::max(0.0, entries - f.ipcq_depth) / f.ipcq_depth * f.ring_rtt_ns);
    return b;
  }
};

}  // namespace

KB_REGISTER_CCL_ALGORITHM(Ring);

}  // namespace kb::runtime::ccl

// Pairwise exchange: all-to-all in world - 1 steps; in step s every rank sends its chunk for
// rank + s while receiving rank - s's chunk for it, so each step is a set of disjoint cycles
// and no queue waits on another. A barrier is the same exchange of one element.
#include "runtime/ccl/patterns.h"

namespace kb::runtime::ccl {

namespace {

class Pairwise : public CclAlgorithm {
 public:
  std::string name() const override { return "pairwise"; }
  std::string summary() const override {
    return "all-to-all (and barrier): step s sends to rank + s, receives from rank - s";
  }
  bool supports(Collective c) const override {
    return c == Collective::all_to_all || c == Collective::barrier;
  }
  // Every rank keeps a queue to every other: the install grows with the square of the world.
  std::optional<std::string> rejects_world(std::uint32_t world) const override {
    if (world <= kMaxWorld) return std::nullopt;
    return "it keeps an IPCQ towards every other rank; at most " + std::to_string(kMaxWorld) +
           " ranks, not " + std::to_string(world) + " (bruck keeps 2 log2 W)";
  }

  std::vector<std::uint32_t> neighbours(std::uint32_t rank, const IpcqPlan& plan) const override {
    return every_other(rank, plan.rank_to_pe.size());
  }

  void run(RankComm& c, const CollectiveCall& call) const override {
    require_support(*this, call.kind);
    const std::uint32_t W = c.world, r = c.rank;
    // all_to_all's buffer: the chunks to send, then the chunks received (comm's layout).
    const std::int64_t n = call.kind == Collective::barrier ? 1 : call.count;
    const std::int64_t received = call.kind == Collective::barrier ? 0 : n * W;
    for (std::uint32_t s = 1; s < W; ++s) {
      const std::uint32_t to = (r + s) % W, from = (r + W - s) % W;
      const std::int64_t send_at = call.kind == Collective::barrier ? 0 : to * n;
      const std::int64_t recv_at = received + (call.kind == Collective::barrier ? 0 : from * n);
      c.exchange(SendTo{to, {send_at, n}}, RecvFrom{from, {recv_at, n}, Combine::copy});
      if (call.kind != Collective::barrier) c.on_final({recv_at, n});
    }
  }

  // Every rank's port carries, each way, its buffer (loaded in, stored out) and the
  // (W - 1) / W of it that it exchanges; the last chunk still has a path to cross.
  double bound_ns(Collective, double bytes, const CollectiveFabric& f) const override {
    return f.worst.alpha_ns + (1 + f.spread()) * bytes / f.port_gbps;
  }
  // The W - 1 steps follow one another: a step's chunk leaves only once the sender has
  // finished the step before, and crosses at least the shortest path between two ranks.
  Bound extra_terms(Collective, double, const CollectiveFabric& f) const override {
    Bound b;
    b.add("steps", (f.world - 1) * f.nearest_alpha_ns);
    return b;
  }

 private:
  static constexpr std::uint32_t kMaxWorld = 1024;
};

}  // namespace

KB_REGISTER_CCL_ALGORITHM(Pairwise);

}  // namespace kb::runtime::ccl

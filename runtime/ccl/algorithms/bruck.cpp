// Bruck's all-to-all: ceil(log2 W) steps instead of pairwise's W - 1, each rank exchanging
// only with the ranks 2^k away, so the install holds 2 log2 W queues a rank rather than
// one towards every other: an all-to-all of thousands of ranks fits. Each step moves about
// half the blocks (those whose index has bit k set, packed into one message), so a rank
// sends about (W / 2) log2 W blocks in all rather than W - 1: fewer, larger steps for more
// bytes, the better choice where per-step latency outweighs bandwidth (small blocks, many
// ranks). The packing and unpacking are local copies, one vector pass each. A barrier is
// the same steps of one element (a dissemination barrier).
#include "runtime/ccl/patterns.h"

namespace kb::runtime::ccl {

namespace {

class Bruck : public CclAlgorithm {
 public:
  std::string name() const override { return "bruck"; }
  std::string summary() const override {
    return "all-to-all in log2 W steps: block i to rank + 2^k for each bit k of i";
  }
  bool supports(Collective c) const override {
    return c == Collective::all_to_all || c == Collective::barrier;
  }

  std::vector<std::uint32_t> neighbours(std::uint32_t rank, const IpcqPlan& plan) const override {
    const auto w = static_cast<std::uint32_t>(plan.rank_to_pe.size());
    std::set<std::uint32_t> peers;
    for (std::uint32_t mask = 1; mask < w; mask <<= 1) {
      peers.insert((rank + mask) % w);
      peers.insert((rank + w - mask % w) % w);
    }
    return unique_others(rank, std::move(peers));
  }

  // The buffer (distributed.cpp): W blocks to send (block j for rank j), then W received
  // (block j from rank j). Logical block i is the one bound for rank + i; pos[i] is where
  // it lies. Step k sends every block whose i has bit k set to rank + 2^k, packed into the
  // received half's first W/2 blocks, and takes the same blocks of rank - 2^k into the next
  // W/2, which unpack into their places. At the end logical block i holds rank - i's block
  // for this rank.
  void run(RankComm& c, const CollectiveCall& call) const override {
    require_support(*this, call.kind);
    const std::int64_t W = c.world, r = c.rank, n = call.count, received = n * W;
    if (call.kind == Collective::barrier) {
      // A dissemination barrier: the same steps with one element, so that after them every
      // rank has heard, through others, from every rank.
      for (std::int64_t mask = 1; mask < W; mask <<= 1) {
        c.exchange(
            SendTo{static_cast<std::uint32_t>((r + mask) % W), {0, 1}},
            RecvFrom{static_cast<std::uint32_t>((r - mask % W + W) % W), {0, 1}, Combine::copy});
      }
      return;
    }
    const std::int64_t pack = received, unpack = received + W / 2 * n;
    std::vector<std::int64_t> pos(static_cast<std::size_t>(W));
    for (std::int64_t i = 0; i < W; ++i) pos[static_cast<std::size_t>(i)] = (i + r) % W;
    for (std::int64_t mask = 1; mask < W; mask <<= 1) {
      std::vector<std::int64_t> blocks;
      for (std::int64_t i = 1; i < W; ++i)
        if ((i & mask) != 0) blocks.push_back(i);
      const auto m = static_cast<std::int64_t>(blocks.size());
      for (std::int64_t b = 0; b < m; ++b)
        c.copy({pos[static_cast<std::size_t>(blocks[static_cast<std::size_t>(b)])] * n, n},
               pack + b * n);
      c.exchange(
          SendTo{static_cast<std::uint32_t>((r + mask) % W), {pack, m * n}},
          RecvFrom{
              static_cast<std::uint32_t>((r - mask % W + W) % W), {unpack, m * n}, Combine::copy});
      for (std::int64_t b = 0; b < m; ++b)
        c.copy({unpack + b * n, n},
               pos[static_cast<std::size_t>(blocks[static_cast<std::size_t>(b)])] * n);
    }
    // Rank j's block for this rank is logical block r - j (its own, block r, is final
    // already: the runner reported it before the exchange).
    for (std::int64_t j = 0; j < W; ++j) {
      if (j == r) continue;
      c.copy({pos[static_cast<std::size_t>(wrap(r - j, W))] * n, n}, received + j * n);
      c.on_final({received + j * n, n});
    }
  }

  // Every rank's port carries, each way, its buffer (loaded in, stored out) and the blocks
  // of every step (those of index with bit k set, of the W - 1 it sends); each step follows
  // the one before and crosses at least the shortest path between two ranks.
  double bound_ns(Collective, double bytes, const CollectiveFabric& f) const override {
    const double moved = static_cast<double>(blocks_sent(static_cast<std::int64_t>(f.world)));
    return f.log2_world() * f.nearest_alpha_ns + (1 + moved / f.world) * bytes / f.port_gbps;
  }

 private:
  // Blocks a rank sends over all steps: for each bit k, the indices below W with it set.
  static std::int64_t blocks_sent(std::int64_t world) {
    std::int64_t sent = 0;
    for (std::int64_t mask = 1; mask < world; mask <<= 1)
      for (std::int64_t i = 1; i < world; ++i) sent += (i & mask) != 0 ? 1 : 0;
    return sent;
  }
};

}  // namespace

KB_REGISTER_CCL_ALGORITHM(Bruck);

}  // namespace kb::runtime::ccl

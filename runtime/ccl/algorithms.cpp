#include "runtime/ccl/algorithms.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

namespace kb::runtime {

const char* to_string(Collective c) {
  switch (c) {
    case Collective::all_reduce: return "all_reduce";
    case Collective::reduce_scatter: return "reduce_scatter";
    case Collective::all_gather: return "all_gather";
    case Collective::broadcast: return "broadcast";
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

// --- RankComm ------------------------------------------------------------------------------

RankComm::RankComm(KernelContext& kernel, std::uint32_t my_rank, const std::vector<PeCoord>& ranks,
                   std::uint64_t piece_bytes, ReduceOp reduce_op, Tile data, std::vector<models::Picoseconds> ready)
    : k(kernel),
      rank(my_rank),
      world(static_cast<std::uint32_t>(ranks.size())),
      rank_to_pe(ranks),
      op(reduce_op),
      buffer(std::move(data)),
      piece_(std::max<std::int64_t>(1, static_cast<std::int64_t>(piece_bytes / itemsize(buffer.dtype())))),
      ready_(std::move(ready)) {}

void RankComm::wait_ready(std::int64_t begin, std::int64_t len) {
  models::Picoseconds at = 0;
  for (std::int64_t p = begin / piece_; p <= (begin + len - 1) / piece_ && p < static_cast<std::int64_t>(ready_.size()); ++p) {
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

void RankComm::exchange(std::int64_t to, std::int64_t send_begin, std::int64_t send_len, std::int64_t from,
                        std::int64_t recv_begin, std::int64_t recv_len, bool reduce_into) {
  const std::int64_t sends = to < 0 ? 0 : (send_len + piece_ - 1) / piece_;
  const std::int64_t recvs = from < 0 ? 0 : (recv_len + piece_ - 1) / piece_;
  // Sends run up to kLookahead pieces ahead of receives, so the link stays busy while this
  // rank reduces; pieces are a quarter of a queue, so sends never wait on credits that
  // only this rank's own receives would free.
  constexpr std::int64_t kLookahead = 3;
  std::int64_t sent = 0;
  for (std::int64_t p = 0; p < std::max(sends, recvs); ++p) {
    for (; sent < sends && sent <= p + kLookahead; ++sent) {
      const std::int64_t b = send_begin + sent * piece_, n = std::min(piece_, send_begin + send_len - b);
      wait_ready(b, n);
      k.send(static_cast<std::uint32_t>(to), buffer.slice(b, n));
    }
    if (p < recvs) {
      const std::int64_t b = recv_begin + p * piece_, n = std::min(piece_, recv_begin + recv_len - b);
      const Tile got = k.recv(static_cast<std::uint32_t>(from), 1, n, buffer.dtype());
      buffer.assign(b, reduce_into ? reduce(buffer.slice(b, n), got) : got);
      for (std::int64_t q = b / piece_; q <= (b + n - 1) / piece_ && q < static_cast<std::int64_t>(ready_.size()); ++q) {
        ready_[static_cast<std::size_t>(q)] = 0;  // in the buffer now
      }
    }
  }
}

namespace {

// --- Building blocks over a group of ranks -------------------------------------------------

struct Group {
  std::vector<std::uint32_t> ranks;
  std::size_t me = 0;  // my index in `ranks`
  std::size_t size() const { return ranks.size(); }
  std::uint32_t at(std::int64_t index) const {
    const auto g = static_cast<std::int64_t>(ranks.size());
    return ranks[static_cast<std::size_t>(((index % g) + g) % g)];
  }
};

Group whole_world(const RankComm& c) {
  Group g;
  for (std::uint32_t r = 0; r < c.world; ++r) g.ranks.push_back(r);
  g.me = c.rank;
  return g;
}

struct Range {
  std::int64_t begin, len;
};

// Chunk `c` of `n` elements from `base` cut into `parts` nearly equal chunks.
Range chunk(std::int64_t base, std::int64_t n, std::int64_t parts, std::int64_t c) {
  const std::int64_t size = (n + parts - 1) / parts;
  const std::int64_t b = std::min(n, c * size);
  return {base + b, std::min(n, b + size) - b};
}

std::int64_t wrap(std::int64_t i, std::int64_t n) { return ((i % n) + n) % n; }

void scale_if_avg(RankComm& c, Range r) {
  if (c.op != ReduceOp::avg || r.len == 0) return;
  // A division, not a multiplication by 1/W: integer averages truncate exactly.
  c.buffer.assign(r.begin, c.k.div(c.buffer.slice(r.begin, r.len), c.k.full(1, 1, c.buffer.dtype(), c.world)));
}

// Ring reduce-scatter over `g` of [base, base + n): afterwards chunk (me + 1 + shift) is
// complete here.
void ring_reduce_scatter(RankComm& c, const Group& g, std::int64_t base, std::int64_t n, std::int64_t shift) {
  const auto G = static_cast<std::int64_t>(g.size());
  const auto i = static_cast<std::int64_t>(g.me);
  for (std::int64_t s = 0; s + 1 < G; ++s) {
    const Range out = chunk(base, n, G, wrap(i - s + shift, G));
    const Range in = chunk(base, n, G, wrap(i - s - 1 + shift, G));
    c.exchange(g.at(i + 1), out.begin, out.len, g.at(i - 1), in.begin, in.len, true);
  }
}

// Ring all-gather over `g`: chunk (me + 1 + shift) is complete here at the start.
void ring_all_gather(RankComm& c, const Group& g, std::int64_t base, std::int64_t n, std::int64_t shift, bool report) {
  const auto G = static_cast<std::int64_t>(g.size());
  const auto i = static_cast<std::int64_t>(g.me);
  for (std::int64_t s = 0; s + 1 < G; ++s) {
    const Range out = chunk(base, n, G, wrap(i - s + 1 + shift, G));
    const Range in = chunk(base, n, G, wrap(i - s + shift, G));
    c.exchange(g.at(i + 1), out.begin, out.len, g.at(i - 1), in.begin, in.len, false);
    if (report && in.len > 0) c.on_final(in.begin, in.len);
  }
}

void ring_all_reduce(RankComm& c, const Group& g, std::int64_t n, bool report) {
  ring_reduce_scatter(c, g, 0, n, 0);
  const Range mine = chunk(0, n, static_cast<std::int64_t>(g.size()), wrap(static_cast<std::int64_t>(g.me) + 1, g.size()));
  if (report) {
    scale_if_avg(c, mine);
    if (mine.len > 0) c.on_final(mine.begin, mine.len);
  }
  ring_all_gather(c, g, 0, n, 0, report);
}

// Binomial tree over `g` rooted at index `root`.
void binomial_broadcast(RankComm& c, const Group& g, std::int64_t root, std::int64_t n) {
  const auto G = static_cast<std::int64_t>(g.size());
  const std::int64_t v = wrap(static_cast<std::int64_t>(g.me) - root, G);
  for (std::int64_t mask = 1; mask < G; mask <<= 1) {
    if (v < mask && v + mask < G) {
      c.send(g.at(v + mask + root), 0, n);
    } else if (v >= mask && v < 2 * mask) {
      c.recv(g.at(v - mask + root), 0, n, false);
    }
  }
}

void binomial_reduce(RankComm& c, const Group& g, std::int64_t root, std::int64_t n) {
  const auto G = static_cast<std::int64_t>(g.size());
  const std::int64_t v = wrap(static_cast<std::int64_t>(g.me) - root, G);
  for (std::int64_t mask = 1; mask < G; mask <<= 1) {
    if (v & mask) {
      c.send(g.at(v - mask + root), 0, n);
      return;
    }
    if (v + mask < G) c.recv(g.at(v + mask + root), 0, n, true);
  }
}

std::vector<std::uint32_t> unique_others(std::uint32_t rank, std::set<std::uint32_t> ranks) {
  ranks.erase(rank);
  return {ranks.begin(), ranks.end()};
}

void require(const CclAlgorithm& a, Collective c) {
  if (!a.supports(c)) throw std::invalid_argument(fmt::format("algorithm '{}' does not do {}", a.name(), to_string(c)));
}

// --- ring ----------------------------------------------------------------------------------

class Ring : public CclAlgorithm {
 public:
  std::string name() const override { return "ring"; }
  std::string summary() const override { return "reduce-scatter + all-gather around a ring"; }
  bool supports(Collective) const override { return true; }
  std::vector<std::uint32_t> neighbours(std::uint32_t r, const std::vector<PeCoord>& ranks) const override {
    const auto w = static_cast<std::uint32_t>(ranks.size());
    return unique_others(r, {(r + 1) % w, (r + w - 1) % w});
  }
  void run(RankComm& c, const CollectiveCall& call) const override {
    const Group g = whole_world(c);
    const std::int64_t n = call.count;
    switch (call.kind) {
      case Collective::all_reduce:
      case Collective::barrier: ring_all_reduce(c, g, n, true); break;
      case Collective::reduce_scatter: {
        ring_reduce_scatter(c, g, 0, n * c.world, -1);  // leaves chunk `rank` here
        const Range mine{c.rank * n, n};
        scale_if_avg(c, mine);
        c.on_final(mine.begin, mine.len);
        break;
      }
      case Collective::all_gather: ring_all_gather(c, g, 0, n * c.world, -1, true); break;
      case Collective::broadcast: {
        // A pipeline around the ring from the root: piece by piece, received then passed on.
        const std::int64_t v = wrap(static_cast<std::int64_t>(c.rank) - call.root, c.world);
        const std::int64_t piece = c.piece_elements();
        for (std::int64_t b = 0; b < n; b += piece) {
          const std::int64_t len = std::min(piece, n - b);
          if (v > 0) c.recv(g.at(c.rank - 1), b, len, false);
          if (v + 1 < c.world) c.send(g.at(c.rank + 1), b, len);
        }
        c.on_final(0, n);
        break;
      }
    }
  }
};

// --- recursive halving and doubling ------------------------------------------------------------

class HalvingDoubling : public CclAlgorithm {
 public:
  std::string name() const override { return "rhd"; }
  std::string summary() const override { return "recursive halving reduce-scatter, doubling all-gather; 2^k ranks"; }
  bool supports(Collective c) const override { return c != Collective::broadcast; }
  std::vector<std::uint32_t> neighbours(std::uint32_t r, const std::vector<PeCoord>& ranks) const override {
    std::set<std::uint32_t> out;
    for (std::uint32_t d = 1; d < ranks.size(); d <<= 1) {
      if ((r ^ d) < ranks.size()) out.insert(r ^ d);
    }
    return unique_others(r, out);
  }
  void run(RankComm& c, const CollectiveCall& call) const override {
    require(*this, call.kind);
    if ((c.world & (c.world - 1)) != 0) {
      throw std::invalid_argument(fmt::format("rhd needs a power-of-two world size, not {}", c.world));
    }
    const bool scatter = call.kind == Collective::reduce_scatter, gather = call.kind == Collective::all_gather;
    const std::int64_t n = (scatter || gather) ? call.count * c.world : call.count;
    // The ranges this rank keeps at each level, halving from the whole buffer down.
    std::vector<Range> levels{{0, n}};
    for (std::uint32_t d = c.world / 2; d >= 1; d /= 2) {
      const Range r = levels.back();
      const std::int64_t low = r.len / 2 + r.len % 2;
      levels.push_back((c.rank & d) == 0 ? Range{r.begin, low} : Range{r.begin + low, r.len - low});
    }
    if (!gather) {  // halving: exchange the half I give away for my half of the partner's
      std::size_t level = 1;
      for (std::uint32_t d = c.world / 2; d >= 1; d /= 2, ++level) {
        const Range keep = levels[level], parent = levels[level - 1];
        const Range give = keep.begin == parent.begin ? Range{keep.begin + keep.len, parent.len - keep.len}
                                                      : Range{parent.begin, parent.len - keep.len};
        c.exchange(c.rank ^ d, give.begin, give.len, c.rank ^ d, keep.begin, keep.len, true);
      }
    }
    const Range mine = levels.back();
    if (scatter) {
      scale_if_avg(c, mine);
      c.on_final(mine.begin, mine.len);
      return;
    }
    if (!gather) scale_if_avg(c, mine);
    // Doubling: exchange what I hold for the partner's sibling range.
    std::size_t level = levels.size() - 1;
    for (std::uint32_t d = 1; d < c.world; d <<= 1, --level) {
      const Range held = levels[level], parent = levels[level - 1];
      const Range sibling = held.begin == parent.begin ? Range{held.begin + held.len, parent.len - held.len}
                                                       : Range{parent.begin, parent.len - held.len};
      c.exchange(c.rank ^ d, held.begin, held.len, c.rank ^ d, sibling.begin, sibling.len, false);
    }
    c.on_final(0, n);
  }
};

// --- binomial tree -------------------------------------------------------------------------------

class BinomialTree : public CclAlgorithm {
 public:
  std::string name() const override { return "binomial_tree"; }
  std::string summary() const override { return "binomial tree broadcast and reduce (all-reduce = reduce + broadcast)"; }
  bool supports(Collective c) const override {
    return c == Collective::broadcast || c == Collective::all_reduce || c == Collective::barrier;
  }
  std::vector<std::uint32_t> neighbours(std::uint32_t r, const std::vector<PeCoord>& ranks) const override {
    const auto w = static_cast<std::uint32_t>(ranks.size());
    std::set<std::uint32_t> out;
    for (std::uint32_t d = 1; d < w; d <<= 1) {
      out.insert((r + d) % w);
      out.insert((r + w - d) % w);
    }
    return unique_others(r, out);
  }
  void run(RankComm& c, const CollectiveCall& call) const override {
    require(*this, call.kind);
    const Group g = whole_world(c);
    if (call.kind != Collective::broadcast) {
      binomial_reduce(c, g, 0, call.count);
      if (c.rank == 0) scale_if_avg(c, {0, call.count});
      binomial_broadcast(c, g, 0, call.count);
    } else {
      binomial_broadcast(c, g, call.root, call.count);
    }
    c.on_final(0, call.count);
  }
};

// --- hierarchical --------------------------------------------------------------------------------

// Groups of the hierarchy, from the plan: ranks of each cube, the cube leaders (first rank
// of each cube) of each SIP, and the SIP leaders.
struct Hierarchy {
  Group cube, sip_leaders, top;
  bool cube_leader = false, sip_leader = false;
};

Hierarchy hierarchy(std::uint32_t rank, const std::vector<PeCoord>& ranks) {
  Hierarchy h;
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> cube_leader;
  std::map<std::uint32_t, std::uint32_t> sip_leader;
  const PeCoord& me = ranks[rank];
  for (std::uint32_t r = 0; r < ranks.size(); ++r) {
    const PeCoord& p = ranks[r];
    const bool first_in_cube = cube_leader.emplace(std::make_pair(p.sip, p.cube), r).second;
    if (p.sip == me.sip && p.cube == me.cube) h.cube.ranks.push_back(r);
    if (first_in_cube) {
      if (p.sip == me.sip) h.sip_leaders.ranks.push_back(r);
      if (sip_leader.emplace(p.sip, r).second) h.top.ranks.push_back(r);
    }
  }
  auto index = [](const Group& g, std::uint32_t r) {
    return static_cast<std::size_t>(std::find(g.ranks.begin(), g.ranks.end(), r) - g.ranks.begin());
  };
  h.cube.me = index(h.cube, rank);
  h.cube_leader = h.cube.me == 0;
  h.sip_leaders.me = index(h.sip_leaders, rank);
  h.sip_leader = h.cube_leader && h.sip_leaders.me == 0;
  h.top.me = index(h.top, rank);
  return h;
}

class Hierarchical : public CclAlgorithm {
 public:
  std::string name() const override { return "hierarchical"; }
  std::string summary() const override {
    return "all-reduce within each cube (tree), across the cube mesh (ring), across SIPs (ring)";
  }
  bool supports(Collective c) const override { return c == Collective::all_reduce || c == Collective::barrier; }
  std::vector<std::uint32_t> neighbours(std::uint32_t r, const std::vector<PeCoord>& ranks) const override {
    const Hierarchy h = hierarchy(r, ranks);
    std::set<std::uint32_t> out;
    auto tree = [&](const Group& g) {
      const auto n = static_cast<std::int64_t>(g.size());
      for (std::int64_t d = 1; d < n; d <<= 1) {
        out.insert(g.at(static_cast<std::int64_t>(g.me) + d));
        out.insert(g.at(static_cast<std::int64_t>(g.me) - d));
      }
    };
    auto ring = [&](const Group& g) {
      out.insert(g.at(static_cast<std::int64_t>(g.me) + 1));
      out.insert(g.at(static_cast<std::int64_t>(g.me) - 1));
    };
    tree(h.cube);
    if (h.cube_leader) {
      ring(h.sip_leaders);
      tree(h.sip_leaders);
    }
    if (h.sip_leader) ring(h.top);
    return unique_others(r, out);
  }
  void run(RankComm& c, const CollectiveCall& call) const override {
    require(*this, call.kind);
    const Hierarchy h = hierarchy(c.rank, c.rank_to_pe);
    const std::int64_t n = call.count;
    binomial_reduce(c, h.cube, 0, n);
    if (h.cube_leader) {
      if (h.sip_leaders.size() > 1) ring_all_reduce(c, h.sip_leaders, n, false);
      if (h.sip_leader && h.top.size() > 1) ring_all_reduce(c, h.top, n, false);
      binomial_broadcast(c, h.sip_leaders, 0, n);
      scale_if_avg(c, {0, n});
    }
    binomial_broadcast(c, h.cube, 0, n);
    c.on_final(0, n);
  }
};

const std::vector<std::unique_ptr<CclAlgorithm>>& algorithms() {
  static const std::vector<std::unique_ptr<CclAlgorithm>> all = [] {
    std::vector<std::unique_ptr<CclAlgorithm>> a;
    a.push_back(std::make_unique<Ring>());
    a.push_back(std::make_unique<HalvingDoubling>());
    a.push_back(std::make_unique<BinomialTree>());
    a.push_back(std::make_unique<Hierarchical>());
    return a;
  }();
  return all;
}

}  // namespace

std::vector<std::string> ccl_algorithm_names() {
  std::vector<std::string> names;
  for (const auto& a : algorithms()) names.push_back(a->name());
  return names;
}

const CclAlgorithm& ccl_algorithm(const std::string& name) {
  for (const auto& a : algorithms()) {
    if (a->name() == name) return *a;
  }
  throw std::invalid_argument(fmt::format("no collective algorithm '{}'; registered: {}", name,
                                          fmt::join(ccl_algorithm_names(), ", ")));
}

}  // namespace kb::runtime

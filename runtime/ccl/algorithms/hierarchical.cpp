// Hierarchical all-reduce: a binomial tree within each cube, a ring across the cube
// leaders of each SIP, across the SIP leaders level by level of the inter-SIP network
// (reduce-scatter up the levels, all-gather back down), then broadcasts back down.
// Hierarchical reduce-scatter and all-gather: rings over one level of the machine at a time
// (a cube's ranks, a SIP's cubes, each network level), the inner levels on the whole buffer
// and each outer one on the share the inner ones left. Hierarchical all-to-all: a pairwise
// exchange per level, each block forwarded towards its destination one level at a time.
#include "runtime/ccl/patterns.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace kb::runtime::ccl {

namespace {

// Groups of the hierarchy, from the plan: ranks of each cube, the cube leaders (first rank
// of each cube) of each SIP, and the SIP leaders (first rank of each SIP) of each group of
// each network level this rank's SIP is in, innermost first; one group of every SIP
// leader when the SIPs do not fill the levels (a world or subgroup of some of them).
struct Hierarchy {
  Group cube, sip_leaders;
  std::vector<Group> levels;
  bool cube_leader = false, sip_leader = false;
};

std::size_t index_of(const Group& g, std::uint32_t r) {
  return static_cast<std::size_t>(std::find(g.ranks.begin(), g.ranks.end(), r) - g.ranks.begin());
}

// The SIP leaders by SIP, grouped per level of `sizes` around SIP `mine`: those whose SIP
// differs from `mine` in that level's digit alone, in digit order. Empty when the leaders'
// SIPs are not every SIP of the levels.
std::vector<Group> level_groups(const std::map<std::uint32_t, std::uint32_t>& leader_of_sip,
                                const std::vector<std::uint32_t>& sizes, std::uint32_t mine) {
  std::uint64_t sips = 1;
  for (std::uint32_t size : sizes) sips *= size;
  if (sizes.size() < 2 || leader_of_sip.size() != sips || leader_of_sip.rbegin()->first + 1 != sips)
    return {};
  std::vector<Group> out;
  std::uint32_t stride = 1;
  for (std::uint32_t size : sizes) {
    Group g;
    const std::uint32_t base = mine - (mine / stride % size) * stride;
    for (std::uint32_t d = 0; d < size; ++d) g.ranks.push_back(leader_of_sip.at(base + d * stride));
    g.me = mine / stride % size;
    out.push_back(std::move(g));
    stride *= size;
  }
  return out;
}

Hierarchy hierarchy(std::uint32_t rank, const std::vector<PeCoord>& ranks,
                    const std::vector<std::uint32_t>& sip_levels) {
  Hierarchy h;
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> cube_leader;
  std::map<std::uint32_t, std::uint32_t> sip_leader;
  const PeCoord& me = ranks[rank];
  Group top;
  for (std::uint32_t r = 0; r < ranks.size(); ++r) {
    const PeCoord& p = ranks[r];
    const bool first_in_cube = cube_leader.emplace(std::make_pair(p.sip, p.cube), r).second;
    if (p.sip == me.sip && p.cube == me.cube) h.cube.ranks.push_back(r);
    if (first_in_cube) {
      if (p.sip == me.sip) h.sip_leaders.ranks.push_back(r);
      if (sip_leader.emplace(p.sip, r).second) top.ranks.push_back(r);
    }
  }
  h.cube.me = index_of(h.cube, rank);
  h.cube_leader = h.cube.me == 0;
  h.sip_leaders.me = index_of(h.sip_leaders, rank);
  h.sip_leader = h.cube_leader && h.sip_leaders.me == 0;
  h.levels = level_groups(sip_leader, sip_levels, me.sip);
  if (h.levels.empty()) {
    top.me = index_of(top, rank);
    h.levels.push_back(std::move(top));
  }
  return h;
}

// The ranks as mixed-radix numbers, innermost digit first: rank r's digit d is
// r / stride[d] % radix[d]. The radices follow the machine where the ranks fill it in
// order (ranks per cube, cubes per SIP, the network's levels, else the SIPs); any radices
// whose product is the world give the same results, only over other paths.
struct Digits {
  std::vector<std::int64_t> radix, stride;
  // Each digit's level of the machine, its index in CclAlgorithmConfig::levels (0 a cube's
  // ranks, 1 a SIP's cubes, 2 + l network level l); kNoLevel for the world as one ring.
  std::vector<std::size_t> level;
  static constexpr std::size_t kNoLevel = ~std::size_t{0};

  std::int64_t digit(std::int64_t r, std::size_t d) const { return r / stride[d] % radix[d]; }
  // The ranks that differ from `r` in digit d alone, in that digit's order.
  Group group(std::int64_t r, std::size_t d) const {
    Group g;
    const std::int64_t base = r - digit(r, d) * stride[d];
    for (std::int64_t j = 0; j < radix[d]; ++j)
      g.ranks.push_back(static_cast<std::uint32_t>(base + j * stride[d]));
    g.me = static_cast<std::size_t>(digit(r, d));
    return g;
  }
  // Chunks (of `count` elements, chunk c at c x count) whose digits below d are r's and
  // whose digit d is j, in the order of their higher digits: what a ring over digit d
  // moves as part j once the lower digits' rings are done.
  void part(std::int64_t r, std::size_t d, std::int64_t j, std::int64_t count,
            std::vector<Span>& spans) const {
    const std::int64_t outer = stride[d] * radix[d], low = r % stride[d];
    spans.clear();
    for (std::int64_t high = 0; high < stride.back() * radix.back(); high += outer)
      spans.push_back({(high + j * stride[d] + low) * count, count});
  }
  // The slots (of `count` elements, from `base`) whose digit d is j, whatever their other
  // digits: runs of stride[d] slots, in the order of the higher digits.
  std::vector<Span> slots(std::int64_t base, std::size_t d, std::int64_t j,
                          std::int64_t count) const {
    std::vector<Span> spans;
    for (std::int64_t high = 0; high < stride.back() * radix.back(); high += stride[d] * radix[d])
      spans.push_back({base + (high + j * stride[d]) * count, stride[d] * count});
    return spans;
  }
};

Digits rank_digits(const std::vector<PeCoord>& ranks,
                   const std::vector<std::uint32_t>& sip_levels) {
  const auto W = static_cast<std::int64_t>(ranks.size());
  // Ranks of a cube and of a SIP, counted from rank 0; they describe the machine only if
  // every cube and SIP holds as many, in rank order.
  std::int64_t per_cube = 0, per_sip = 0;
  while (per_sip < W && ranks[static_cast<std::size_t>(per_sip)].sip == ranks[0].sip) {
    if (ranks[static_cast<std::size_t>(per_sip)].cube == ranks[0].cube) ++per_cube;
    ++per_sip;
  }
  auto fills = [&](std::int64_t size, auto same) {
    for (std::int64_t r = 0; r < W; ++r) {
      if (!same(ranks[static_cast<std::size_t>(r)], ranks[static_cast<std::size_t>(r - r % size)]))
        return false;
    }
    return W % size == 0;
  };
  std::vector<std::int64_t> radix;
  std::vector<std::size_t> level;
  const bool cubes = fills(per_cube, [](const PeCoord& a, const PeCoord& b) {
    return a.sip == b.sip && a.cube == b.cube;
  });
  const bool sips =
      fills(per_sip, [](const PeCoord& a, const PeCoord& b) { return a.sip == b.sip; });
  if (!cubes || !sips || per_sip % per_cube != 0) {
    radix = {W};
    level = {Digits::kNoLevel};
  } else {
    radix = {per_cube, per_sip / per_cube};
    level = {0, 1};
    std::int64_t levels = 1;
    for (std::uint32_t size : sip_levels) levels *= size;
    // The network's levels where the SIPs are every SIP of them, in order.
    bool in_order = levels == W / per_sip;
    for (std::int64_t s = 0; in_order && s < levels; ++s)
      in_order = ranks[static_cast<std::size_t>(s * per_sip)].sip == s;
    if (in_order) {
      radix.insert(radix.end(), sip_levels.begin(), sip_levels.end());
      for (std::size_t l = 0; l < sip_levels.size(); ++l) level.push_back(2 + l);
    } else {
      radix.push_back(W / per_sip);
      level.push_back(2);
    }
  }
  Digits digits;
  std::int64_t stride = 1;
  for (std::size_t d = 0; d < radix.size(); ++d) {
    if (radix[d] < 2) continue;
    digits.radix.push_back(radix[d]);
    digits.stride.push_back(stride);
    digits.level.push_back(level[d]);
    stride *= radix[d];
  }
  if (digits.radix.empty()) digits = {{1}, {1}, {Digits::kNoLevel}};
  return digits;
}

// Whether machine level `level` (CclAlgorithmConfig::levels' index) of `size` ranks runs
// recursive halving and doubling rather than rings; throws for rhd on a level that is
// not 2^k ranks.
bool halves(const std::vector<std::string>& levels, std::size_t level, std::size_t size) {
  if (level >= levels.size() || levels[level] != "rhd" || size < 2) return false;
  if ((size & (size - 1)) != 0) {
    throw std::invalid_argument(fmt::format(
        "hierarchical: levels[{}] is rhd, which needs 2^k ranks; that level has {}", level, size));
  }
  return true;
}

// A reduce-scatter over `g` of its parts; returns the part left complete here (a ring's
// is me + 1 + shift). An all-gather from that part.
std::int64_t scatter_phase(RankComm& c, const Group& g, const PartSpans& part, bool rhd,
                           std::int64_t shift) {
  const auto me = static_cast<std::int64_t>(g.me);
  if (rhd) {
    halving_reduce_scatter(c, g, part);
    return me;
  }
  ring_reduce_scatter(c, g, part, shift);
  return wrap(me + 1 + shift, static_cast<std::int64_t>(g.size()));
}
void gather_phase(RankComm& c, const Group& g, const PartSpans& part, bool rhd, std::int64_t shift,
                  bool report) {
  if (rhd) {
    doubling_all_gather(c, g, part, report);
  } else {
    ring_all_gather(c, g, part, shift, report);
  }
}

class Hierarchical : public CclAlgorithm {
 public:
  std::string name() const override { return "hierarchical"; }
  std::string summary() const override {
    return "all-reduce within each cube (tree), across the cube mesh (ring), across SIPs "
           "(ring per level); reduce-scatter, all-gather and all-to-all level by level";
  }
  bool supports(Collective c) const override { return c != Collective::broadcast; }
  // Every rank of the rank's group on each level (digit): the all-to-all exchanges with all
  // of them, and they hold every partner of the other collectives too (a cube's tree, the
  // leaders' rings or rhd, each level's reduce-scatter and all-gather). rhd on a level that
  // is not 2^k ranks stops the install.
  std::vector<std::uint32_t> neighbours(std::uint32_t r, const IpcqPlan& plan) const override {
    const std::vector<std::string>& chosen = plan.config.levels;
    const Hierarchy h = hierarchy(r, plan.rank_to_pe, plan.sip_levels);
    if (h.cube_leader) halves(chosen, 1, h.sip_leaders.size());
    if (h.sip_leader) {
      for (std::size_t l = 0; l < h.levels.size(); ++l) halves(chosen, 2 + l, h.levels[l].size());
    }
    std::set<std::uint32_t> out;
    const Digits digits = rank_digits(plan.rank_to_pe, plan.sip_levels);
    for (std::size_t d = 0; d < digits.radix.size(); ++d) {
      const Group g = digits.group(r, d);
      halves(chosen, digits.level[d], g.size());
      out.insert(g.ranks.begin(), g.ranks.end());
    }
    return unique_others(r, out);
  }

  void run(RankComm& c, const CollectiveCall& call) const override {
    require_support(*this, call.kind);
    const std::int64_t n = call.count;
    if (call.kind == Collective::all_to_all) {
      all_to_all(c, rank_digits(c.rank_to_pe, c.sip_levels), n);
      return;
    }
    if (call.kind == Collective::reduce_scatter || call.kind == Collective::all_gather) {
      // Digit by digit, innermost first for the reduce-scatter (each ring on the chunks the
      // rings before left here) and outermost first for the all-gather, so that either way
      // rank r ends with chunk r.
      const Digits digits = rank_digits(c.rank_to_pe, c.sip_levels);
      const auto D = digits.radix.size();
      for (std::size_t i = 0; i < D; ++i) {
        const std::size_t d = call.kind == Collective::reduce_scatter ? i : D - 1 - i;
        const PartSpans part = [&](std::int64_t j, std::vector<Span>& spans) {
          digits.part(c.rank, d, j, n, spans);
        };
        const Group g = digits.group(c.rank, d);
        const bool rhd = halves(c.level_algorithms, digits.level[d], g.size());
        if (call.kind == Collective::reduce_scatter) {
          scatter_phase(c, g, part, rhd, -1);
        } else {
          gather_phase(c, g, part, rhd, -1, true);
        }
      }
      if (call.kind == Collective::reduce_scatter) {
        const Span mine{c.rank * n, n};
        c.scale_if_avg(mine);
        c.on_final(mine);
      }
      return;
    }
    const Hierarchy h = hierarchy(c.rank, c.rank_to_pe, c.sip_levels);
    binomial_reduce(c, h.cube, 0, n);
    if (h.cube_leader) {
      if (h.sip_leaders.size() > 1) {
        const Group& g = h.sip_leaders;
        const PartSpans part = chunk_parts(0, n, static_cast<std::int64_t>(g.size()));
        const bool rhd = halves(c.level_algorithms, 1, g.size());
        scatter_phase(c, g, part, rhd, 0);
        gather_phase(c, g, part, rhd, 0, false);
      }
      if (h.sip_leader) across_sips(c, h.levels, n);
      binomial_broadcast(c, h.sip_leaders, 0, n);
      c.scale_if_avg({0, n});
    }
    binomial_broadcast(c, h.cube, 0, n);
    c.on_final({0, n});
  }

  // The SIP leaders' all-reduce over the network's levels: a ring reduce-scatter in this
  // SIP's group of each level in turn, each on the part the one before left here, then ring
  // all-gathers back down. The outer levels' slower links carry a part of the buffer, and
  // every SIP's links of a level carry a part at once. One level: a ring all-reduce.
  static void across_sips(RankComm& c, const std::vector<Group>& levels, std::int64_t n) {
    std::vector<Span> parts;  // the part each level's reduce-scatter worked on
    std::vector<bool> rhd;    // whether that level halves (CclAlgorithmConfig::levels)
    Span part{0, n};
    for (std::size_t l = 0; l < levels.size(); ++l) {
      const Group& g = levels[l];
      if (g.size() < 2) continue;
      const auto size = static_cast<std::int64_t>(g.size());
      rhd.push_back(halves(c.level_algorithms, 2 + l, g.size()));
      parts.push_back(part);
      const std::int64_t kept =
          scatter_phase(c, g, chunk_parts(part.begin, part.len, size), rhd.back(), 0);
      part = chunk(part.begin, part.len, size, kept);
    }
    std::size_t p = parts.size();
    for (auto g = levels.rbegin(); g != levels.rend(); ++g) {
      if (g->size() < 2) continue;
      --p;
      gather_phase(c, *g,
                   chunk_parts(parts[p].begin, parts[p].len, static_cast<std::int64_t>(g->size())),
                   rhd[p], 0, false);
    }
  }

  // The all-to-all digit by digit, one pairwise exchange per digit among the ranks that
  // differ in it alone: a block travels to the rank with its destination's digit d in
  // phase d, so a rank keeps queues to sum(radix - 1) others, not W - 1. Before phase d a
  // rank holds the W blocks (s, t) whose destination t agrees with it below digit d and
  // whose source s agrees with it from digit d on, block (s, t) in slot (t's digits from d,
  // s's below d); phase d sends the slots whose digit d is j to the group's rank j, and
  // takes its blocks into the slots whose digit d is the sender's. The slots ping-pong
  // between the buffer's halves (the blocks that stay copied across), and end in slot s:
  // the received half's layout.
  static void all_to_all(RankComm& c, const Digits& digits, std::int64_t n) {
    const std::int64_t W = c.world, half = W * n;
    std::int64_t from = 0, to = half;
    for (std::size_t d = 0; d < digits.radix.size(); ++d) {
      const Group g = digits.group(c.rank, d);
      const auto me = static_cast<std::int64_t>(g.me), R = digits.radix[d];
      for (const Span& stay : digits.slots(from, d, me, n)) c.copy(stay, stay.begin - from + to);
      for (std::int64_t s = 1; s < R; ++s) {
        c.exchange(g.at(me + s), digits.slots(from, d, wrap(me + s, R), n), g.at(me - s),
                   digits.slots(to, d, wrap(me - s, R), n), Combine::copy);
      }
      std::swap(from, to);
    }
    if (from != half) c.copy({0, half}, half);
    // Its own block was final before the exchange (the runner's).
    const std::int64_t own = half + c.rank * n;
    for (const Span& done : {Span{half, own - half}, Span{own + n, 2 * half - own - n}})
      if (done.len > 0) c.on_final(done);
  }

  // Each level moves the whole buffer over different paths (trees inside the cubes, rings
  // across them and across the SIPs), so no one path carries them all: the floor is what
  // any of them must. Every pair of ranks it exchanges between carries at least the buffer
  // one way (a tree edge the buffer up and back, a ring edge 2 (k - 1) / k of it), except
  // over the network's outer levels, whose rings carry the part the inner levels left
  // (at least the outer level's share); so the narrowest carries that share once; every rank
  // loads its buffer and stores the result through its port; and the ranks furthest apart
  // hear from each other.
  //
  // A reduce-scatter or all-gather takes in as many chunks as a ring's, W - 1 of the W in
  // the buffer, through the rank's port beside its input or result (CollectiveFabric::
  // phase_ns); every pair that exchanges carries at least one chunk; the ranks furthest
  // apart hear from each other. An all-to-all exchanges at least the (W - 1) / W of its
  // buffer that is for others (more: a block crosses a phase per digit it differs in),
  // through the port beside the buffer loaded and stored, as pairwise's.
  double bound_ns(Collective kind, double bytes, const CollectiveFabric& f) const override {
    if (kind == Collective::all_to_all) {
      return f.worst.alpha_ns + (1 + f.spread()) * bytes / f.port_gbps;
    }
    if (kind == Collective::reduce_scatter || kind == Collective::all_gather) {
      return std::max({f.worst.alpha_ns, (1 + f.spread()) * bytes / f.port_gbps,
                       bytes / f.world / f.worst.beta_gbps});
    }
    return std::max(
        {f.worst.alpha_ns, f.outer_level_share * bytes / f.worst.beta_gbps, bytes / f.port_gbps});
  }
};

}  // namespace

KB_REGISTER_CCL_ALGORITHM(Hierarchical);

}  // namespace kb::runtime::ccl

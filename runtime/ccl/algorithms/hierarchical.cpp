// Hierarchical all-reduce: a binomial tree within each cube, a ring across the cube
// leaders of each SIP, a ring across the SIP leaders, then broadcasts back down.
#include "runtime/ccl/patterns.h"

#include <algorithm>
#include <map>

namespace kb::runtime::ccl {

namespace {

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
    return "all-reduce within each cube (tree), across the cube mesh (ring), across SIPs "
           "(ring)";
  }
  bool supports(Collective c) const override {
    return c == Collective::all_reduce || c == Collective::barrier;
  }
  std::vector<std::uint32_t> neighbours(std::uint32_t r,
                                        const std::vector<PeCoord>& ranks) const override {
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
    require_support(*this, call.kind);
    const Hierarchy h = hierarchy(c.rank, c.rank_to_pe);
    const std::int64_t n = call.count;
    binomial_reduce(c, h.cube, 0, n);
    if (h.cube_leader) {
      if (h.sip_leaders.size() > 1) ring_all_reduce(c, h.sip_leaders, n, false);
      if (h.sip_leader && h.top.size() > 1) ring_all_reduce(c, h.top, n, false);
      binomial_broadcast(c, h.sip_leaders, 0, n);
      c.scale_if_avg({0, n});
    }
    binomial_broadcast(c, h.cube, 0, n);
    c.on_final({0, n});
  }

  // Each level moves the whole buffer over different paths (trees inside the cubes, rings
  // across them and across the SIPs), so no one path carries them all: the floor is what
  // any of them must. Every pair of ranks it exchanges between carries at least the buffer
  // one way (a tree edge the buffer up and back, a ring edge 2 (k - 1) / k of it), so the
  // narrowest carries it once; every rank loads its buffer and stores the result through
  // its port; and the ranks furthest apart hear from each other.
  double bound_ns(Collective, double bytes, const CollectiveFabric& f) const override {
    return std::max({f.worst.alpha_ns, bytes / f.worst.beta_gbps, bytes / f.port_gbps});
  }
};

}  // namespace

KB_REGISTER_CCL_ALGORITHM(Hierarchical);

}  // namespace kb::runtime::ccl

// Recursive halving and doubling: a reduce-scatter by halving, an all-gather by doubling,
// exchanging with the partner rank ^ d at each level; 2^k ranks.
#include "runtime/ccl/patterns.h"

#include <fmt/format.h>

namespace kb::runtime::ccl {

namespace {

// The half of `parent` that is not `part`.
Span other_half(const Span& part, const Span& parent) {
  return part.begin == parent.begin ? Span{part.begin + part.len, parent.len - part.len}
                                    : Span{parent.begin, parent.len - part.len};
}

class HalvingDoubling : public CclAlgorithm {
 public:
  std::string name() const override { return "rhd"; }
  std::string summary() const override {
    return "recursive halving reduce-scatter, doubling all-gather; 2^k ranks";
  }
  bool supports(Collective c) const override {
    return c != Collective::broadcast && c != Collective::all_to_all;
  }
  std::vector<std::uint32_t> neighbours(std::uint32_t r, const IpcqPlan& plan) const override {
    std::set<std::uint32_t> out;
    for (std::uint32_t d = 1; d < plan.rank_to_pe.size(); d <<= 1) {
      if ((r ^ d) < plan.rank_to_pe.size()) out.insert(r ^ d);
    }
    return unique_others(r, out);
  }

  std::optional<std::string> rejects_world(std::uint32_t world) const override {
    if ((world & (world - 1)) == 0) return std::nullopt;
    return fmt::format("rhd needs a power-of-two world size, not {}", world);
  }

  void run(RankComm& c, const CollectiveCall& call) const override {
    require_support(*this, call.kind);
    if (auto why = rejects_world(c.world)) throw std::invalid_argument(*why);
    const bool scatter = call.kind == Collective::reduce_scatter;
    const bool gather = call.kind == Collective::all_gather;
    const std::int64_t n = (scatter || gather) ? call.count * c.world : call.count;
    // The spans this rank keeps at each level, halving from the whole buffer down.
    std::vector<Span> levels{{0, n}};
    for (std::uint32_t d = c.world / 2; d >= 1; d /= 2) {
      const Span r = levels.back();
      const std::int64_t low = r.len / 2 + r.len % 2;
      levels.push_back((c.rank & d) == 0 ? Span{r.begin, low} : Span{r.begin + low, r.len - low});
    }
    if (!gather) {  // halving: exchange the half I give away for my half of the partner's
      std::size_t level = 1;
      for (std::uint32_t d = c.world / 2; d >= 1; d /= 2, ++level) {
        const Span keep = levels[level];
        const Span give = other_half(keep, levels[level - 1]);
        c.exchange(SendTo{c.rank ^ d, give}, RecvFrom{c.rank ^ d, keep, Combine::reduce});
      }
    }
    const Span mine = levels.back();
    if (scatter) {
      c.scale_if_avg(mine);
      c.on_final(mine);
      return;
    }
    if (!gather) c.scale_if_avg(mine);
    // Doubling: exchange what I hold for the partner's sibling span.
    std::size_t level = levels.size() - 1;
    for (std::uint32_t d = 1; d < c.world; d <<= 1, --level) {
      const Span held = levels[level];
      const Span sibling = other_half(held, levels[level - 1]);
      c.exchange(SendTo{c.rank ^ d, held}, RecvFrom{c.rank ^ d, sibling, Combine::copy});
    }
    c.on_final({0, n});
  }

  // log2 W exchanges per phase at the worst alpha; the bytes as for a ring.
  double bound_ns(Collective kind, double bytes, const CollectiveFabric& f) const override {
    const double latency = f.log2_world() * f.worst.alpha_ns;
    if (kind == Collective::all_reduce || kind == Collective::barrier) {
      return 2 * latency + 2 * f.phase_ns(bytes);
    }
    return latency + f.phase_ns(bytes);
  }
};

}  // namespace

KB_REGISTER_CCL_ALGORITHM(HalvingDoubling);

}  // namespace kb::runtime::ccl

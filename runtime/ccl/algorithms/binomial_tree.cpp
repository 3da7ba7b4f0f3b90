// Binomial tree: broadcast down a binomial tree; all-reduce = reduce up to rank 0, then
// broadcast down.
#include "runtime/ccl/patterns.h"

namespace kb::runtime::ccl {

namespace {

class BinomialTree : public CclAlgorithm {
 public:
  std::string name() const override { return "binomial_tree"; }
  std::string summary() const override {
    return "binomial tree broadcast and reduce (all-reduce = reduce + broadcast)";
  }
  bool supports(Collective c) const override {
    return c == Collective::broadcast || c == Collective::all_reduce || c == Collective::barrier;
  }
  std::vector<std::uint32_t> neighbours(std::uint32_t r, const IpcqPlan& plan) const override {
    const auto w = static_cast<std::uint32_t>(plan.rank_to_pe.size());
    std::set<std::uint32_t> out;
    for (std::uint32_t d = 1; d < w; d <<= 1) {
      out.insert((r + d) % w);
      out.insert((r + w - d) % w);
    }
    return unique_others(r, out);
  }

  void run(RankComm& c, const CollectiveCall& call) const override {
    require_support(*this, call.kind);
    const Group g = whole_world(c);
    if (call.kind != Collective::broadcast) {
      binomial_reduce(c, g, 0, call.count);
      if (c.rank == 0) c.scale_if_avg({0, call.count});
      binomial_broadcast(c, g, 0, call.count);
    } else {
      binomial_broadcast(c, g, call.root, call.count);
    }
    c.on_final({0, call.count});
  }

  double bound_ns(Collective kind, double bytes, const CollectiveFabric& f) const override {
    if (kind == Collective::broadcast) {
      return forwarded_broadcast_ns(f.log2_world() * f.worst.alpha_ns, bytes, f);
    }
    return tree_all_reduce_ns(bytes, f);
  }
};

}  // namespace

KB_REGISTER_CCL_ALGORITHM(BinomialTree);

}  // namespace kb::runtime::ccl

// Direct broadcast: the root sends the whole buffer straight to every other rank. The
// worked example of docs/collectives.md, "Adding an algorithm".
#include "runtime/ccl/patterns.h"

namespace kb::runtime::ccl {

namespace {

class Direct : public CclAlgorithm {
 public:
  std::string name() const override { return "direct"; }
  std::string summary() const override { return "broadcast: the root sends to every rank"; }
  bool supports(Collective c) const override { return c == Collective::broadcast; }

  // Any rank may be the root, so every rank has a queue towards every other.
  std::vector<std::uint32_t> neighbours(std::uint32_t rank, const IpcqPlan& plan) const override {
    return every_other(rank, plan.rank_to_pe.size());
  }

  void run(RankComm& c, const CollectiveCall& call) const override {
    require_support(*this, call.kind);
    const Span all{0, call.count};
    if (c.rank == call.root) {
      for (std::uint32_t r = 0; r < c.world; ++r) {
        if (r != c.rank) c.send(r, all);
      }
    } else {
      c.recv(call.root, all, Combine::copy);
    }
    c.on_final(all);
  }

  // Every copy leaves through the root's NoC port, and the last one still has a path to
  // cross: at least W - 1 buffers at the port's bandwidth plus one path latency.
  double bound_ns(Collective, double bytes, const CollectiveFabric& f) const override {
    return f.worst.alpha_ns + (f.world - 1) * bytes / f.port_gbps;
  }
};

}  // namespace

KB_REGISTER_CCL_ALGORITHM(Direct);

}  // namespace kb::runtime::ccl

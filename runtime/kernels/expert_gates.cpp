// A mixture of experts' router weights: gates[t, k] = the softmax of row t of the router's
// logits at expert e_(t,k), normalised over the token's chosen experts (Mixtral) or over all
// of them (DeepSeekMoE's norm_topk_prob: false). Which experts a token goes to rides in the
// launch's arguments, as the host that routed the step sends it (the graph's shapes follow
// the routing: runtime/workload/expert_routing.h).
#include "runtime/kernels/registry.h"
#include "runtime/kernels/row_walk.h"

namespace kb::runtime {

namespace {

constexpr std::size_t kFirstExpert = 3;  // args: (logits, gates, normalise, e_0, e_1, ...)

void expert_gates(KernelContext& k) {
  const TensorView& logits = k.tensor(0);
  const TensorView& gates = k.tensor(1);
  const bool over_chosen = k.int_arg(2) != 0;
  const std::int64_t tokens = logits.global_rows(), experts = logits.global_cols();
  const std::int64_t per_token = gates.global_cols();
  if (gates.global_rows() != tokens ||
      static_cast<std::int64_t>(k.num_args() - kFirstExpert) != tokens * per_token) {
    throw std::invalid_argument(fmt::format(
        "expert_gates: {} x {} gates for {} tokens' logits over {} experts, {} experts given",
        gates.global_rows(), per_token, tokens, experts, k.num_args() - kFirstExpert));
  }
  require_whole_rows(gates, "expert_gates");
  for_each_own_row_tile(k, logits, gates, [&](std::int64_t row0, std::int64_t rows, const Tile& t) {
    // exp(x - max) over every logit: the softmax's numerators.
    const Tile x = k.cast(t, DType::f32);
    const Tile p = k.exp(k.sub(x, k.row_max(x)));
    const Tile all = k.row_sum(p);
    Tile g = k.full(rows, per_token, DType::f32, 0.0);
    if (g.has_values()) {
      for (std::int64_t r = 0; r < rows; ++r) {
        double chosen = 0;
        std::vector<double> mine;
        for (std::int64_t j = 0; j < per_token; ++j) {
          const std::int64_t e =
              k.int_arg(kFirstExpert + static_cast<std::size_t>((row0 + r) * per_token + j));
          if (e < 0 || e >= experts) {
            throw std::invalid_argument(fmt::format(
                "expert_gates: token {} sent to expert {} of {}", row0 + r, e, experts));
          }
          mine.push_back(p.at(r, e));
          chosen += p.at(r, e);
        }
        const double total = over_chosen ? chosen : all.at(r, 0);
        for (std::int64_t j = 0; j < per_token; ++j)
          g.set(r, j, mine[static_cast<std::size_t>(j)] / total);
      }
    }
    k.store_global_async(gates, row0, 0, k.cast(g, gates.dtype()));
  });
}

// The logits read with three passes (max, exp, sum); the gates written.
KernelWork work(const std::vector<WorkArg>& args) {
  KernelWork w;
  w.moves(tensor_arg("expert_gates", args, 0));
  w.moves(tensor_arg("expert_gates", args, 1));
  w.vector(tensor_arg("expert_gates", args, 0), 3);
  return w;
}

}  // namespace

KB_REGISTER_KERNEL(expert_gates, "(logits, gates, normalise, e_0, e_1, ...)",
                   "gates[t, k] = softmax of logits row t at expert e_(t,k), over the chosen "
                   "experts (normalise 1) or all of them (0)",
                   expert_gates, work);

}  // namespace kb::runtime

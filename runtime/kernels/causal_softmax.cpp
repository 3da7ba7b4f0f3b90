#include "runtime/kernels/attention_geometry.h"
#include "runtime/kernels/registry.h"

namespace kb::runtime {

namespace {

// probs = softmax of each row of scores over the keys its query sees; the others are not
// written. Args: (scores, probs, seq_q, position0, kv_heads), scores and probs placed alike.
void causal_softmax(KernelContext& k) {
  const TensorView& x = k.tensor(0);
  const TensorView& out = k.tensor(1);
  Geometry g{};
  g.seq_q = k.int_arg(2);
  g.position0 = k.int_arg(3);
  if (g.seq_q <= 0 || g.position0 < 0 || x.global_cols() != g.position0 + g.seq_q ||
      x.global_rows() % g.seq_q != 0) {
    bad("causal_softmax", fmt::format("{} x {} scores for seq_q {} from position {}",
                                      x.global_rows(), x.global_cols(), g.seq_q, g.position0));
  }
  g.heads = 1;
  if (out.own_block() && out.own_block()->cols != out.global_cols()) {
    bad("causal_softmax", "the output must keep whole rows on each PE (no column_wise split)");
  }
  for_each_query_run(
      out, g, [&](std::int64_t row, std::int64_t n, std::int64_t, std::int64_t, std::int64_t i0) {
        const std::int64_t keys = keys_seen(g, i0, n), local = row - x.row0();
        const Tile mask = causal_mask(k, g, i0, n, 0, keys);
        const Tile t = k.load(x, local, 0, n, keys, &mask, -INFINITY);
        const Tile e = k.exp(k.sub(t, k.row_max(t)));
        k.store_async(out, row - out.row0(), 0, k.cast(k.div(e, k.row_sum(e)), out.dtype()), &mask);
      });
}

// Scores read and probabilities written; over each pair: row max, subtract, exp, row sum,
// divide, cast.
KernelWork work(const std::vector<WorkArg>& args) {
  const TensorShape& scores = tensor_arg("causal_softmax", args, 0);
  const double seq_q = scalar_arg("causal_softmax", args, 2);
  const double position0 = scalar_arg("causal_softmax", args, 3);
  KernelWork w;
  w.moves(scores);
  w.moves(tensor_arg("causal_softmax", args, 1));
  w.vector_ops = 6 * attention_pairs(scores.rows() / seq_q, seq_q, position0);
  return w;
}

}  // namespace

KB_REGISTER_KERNEL(causal_softmax, "(scores, probs, seq_q, position0, kv_heads)",
                   "row softmax over the keys each query sees (causal mask)", causal_softmax, work);

}  // namespace kb::runtime

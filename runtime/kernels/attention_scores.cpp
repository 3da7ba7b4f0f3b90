#include "runtime/kernels/attention_geometry.h"
#include "runtime/kernels/registry.h"

namespace kb::runtime {

namespace {

// scores = scale . q k^T for the keys each query may see (the rest of a tile above the
// diagonal is computed too; causal_softmax masks it).
// Args: (q, k_cache[, k_scales], scores, seq_q, position0, kv_heads, scale); an int8
// cache's tiles dequantised with their scales.
void attention_scores(KernelContext& k) {
  const TensorView& q = k.tensor(0);
  const CacheArg cache = cache_arg(k, "attention_scores", 1, q.dtype());
  const TensorView& s = k.tensor(cache.next);
  const Geometry g = geometry(k, "attention_scores", q, *cache.cache, cache.next + 1);
  const double scale = k.float_arg(cache.next + 4);
  require_scores("attention_scores", s, g);
  for_each_query_run(
      s, g, [&](std::int64_t row, std::int64_t n, std::int64_t b, std::int64_t h, std::int64_t i0) {
        const Tile qt =
            k.wait(k.load_global_async(q, b * g.seq_q + i0, h * g.head_dim, n, g.head_dim));
        const std::int64_t keys = keys_seen(g, i0, n), base = g.cache_row(b, h);
        auto fetch = [&](std::int64_t j0) {
          return fetch_rows(k, cache, base + j0, std::min(kKeyTile, keys - j0), g.head_dim);
        };
        PendingRows next = fetch(0);
        for (std::int64_t j0 = 0; j0 < keys; j0 += kKeyTile) {
          PendingRows current = std::move(next);
          if (j0 + kKeyTile < keys) next = fetch(j0 + kKeyTile);
          const Tile kt = current.take(k, q.dtype());
          k.store_global_async(s, row, j0, k.mul(k.dot_nt(qt, kt), scale));
        }
      });
}

// Q K^T per pair, then the scale: one pass over the scores.
KernelWork work(const std::vector<WorkArg>& args) {
  const TensorShape& q = tensor_arg("attention_scores", args, 0);
  KernelWork w = attention_work("attention_scores", args, false);
  w.vector(
      tensor_arg("attention_scores", args, cache_shape("attention_scores", args, 1, q.dtype).next),
      1);
  return w;
}

}  // namespace

KB_REGISTER_KERNEL(attention_scores,
                   "(q, k_cache[, k_scales], scores, seq_q, position0, kv_heads, scale)",
                   "scale . Q K^T per head over the keys each query sees (batched, transposed K)",
                   attention_scores, work);

}  // namespace kb::runtime

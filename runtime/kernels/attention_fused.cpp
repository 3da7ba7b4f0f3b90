#include "runtime/kernels/attention_geometry.h"
#include "runtime/kernels/registry.h"

namespace kb::runtime {

namespace {

// out (token-major) = softmax(scale . q k^T) . v over the keys each query sees, a key tile at
// a time with an online softmax (FlashAttention's forward pass): no scores are stored, so
// memory grows with the tokens, not their square. lse receives each row's log-sum-exp, and
// its rows (batch, head, query) say which PE computes what, as the scores' rows do for the
// materialized kernels. Args: (q, k_cache[, k_scales], v_cache[, v_scales], out, lse, seq_q,
// position0, kv_heads, scale); an int8 cache's tiles dequantised with their scales.
void attention_fused(KernelContext& k) {
  const TensorView& q = k.tensor(0);
  const CacheArg k_cache = cache_arg(k, "attention_fused", 1, q.dtype());
  const CacheArg v_cache = cache_arg(k, "attention_fused", k_cache.next, q.dtype());
  const TensorView& out = k.tensor(v_cache.next);
  const TensorView& lse = k.tensor(v_cache.next + 1);
  const Geometry g = geometry(k, "attention_fused", q, *k_cache.cache, v_cache.next + 2);
  const double scale = k.float_arg(v_cache.next + 5);
  if (lse.global_rows() != g.batch * g.heads * g.seq_q || lse.global_cols() != 1) {
    bad("attention_fused", fmt::format("lse is {} x {}, expected {} x 1", lse.global_rows(),
                                       lse.global_cols(), g.batch * g.heads * g.seq_q));
  }
  for_each_query_run(
      lse, g,
      [&](std::int64_t row, std::int64_t n, std::int64_t b, std::int64_t h, std::int64_t i0) {
        const Tile qt =
            k.wait(k.load_global_async(q, b * g.seq_q + i0, h * g.head_dim, n, g.head_dim));
        const std::int64_t keys = keys_seen(g, i0, n), base = g.cache_row(b, h);
        struct Step {
          PendingRows keys, values;
        };
        auto fetch = [&](std::int64_t j0) {
          const std::int64_t nj = std::min(kKeyTile, keys - j0);
          return Step{fetch_rows(k, k_cache, base + j0, nj, g.head_dim),
                      fetch_rows(k, v_cache, base + j0, nj, g.head_dim)};
        };
        Tile max = k.full(n, 1, DType::f32, -INFINITY);
        Tile sum = k.full(n, 1, DType::f32, 0.0);
        Tile acc = k.full(n, g.head_dim, DType::f32, 0.0);
        Step next = fetch(0);
        for (std::int64_t j0 = 0; j0 < keys; j0 += kKeyTile) {
          const std::int64_t nj = std::min(kKeyTile, keys - j0);
          Step current = std::move(next);
          if (j0 + kKeyTile < keys) next = fetch(j0 + kKeyTile);
          // Until the next tile's fetch the core touches nothing shared: in flow fidelity it
          // synchronises once a tile, when it fetches the next (its first access does).
          const models::DeferredSync tile_work(k.pe(), k.fidelity() == models::Fidelity::flow);
          Tile s = k.mul(k.dot_nt(qt, current.keys.take(k, q.dtype())), scale);
          // Keys past a query's position: minus infinity before the softmax, on the tiles the
          // causal diagonal crosses.
          if (!sees(g, i0, j0 + nj - 1)) s = k.add(s, causal_bias(g, i0, n, j0, nj));
          const Tile new_max = k.maximum(max, k.row_max(s));
          const Tile p = k.exp(k.sub(s, new_max));
          const Tile rescale = k.exp(k.sub(max, new_max));  // what the old terms are worth now
          sum = k.add(k.mul(sum, rescale), k.row_sum(p));
          const Tile kept = k.mul(acc, rescale);
          acc = k.dot(k.cast(p, q.dtype()), current.values.take(k, q.dtype()), &kept);
          max = new_max;
        }
        k.store_global_async(out, b * g.seq_q + i0, h * g.head_dim,
                             k.cast(k.div(acc, sum), out.dtype()));
        k.store_async(lse, row - lse.row0(), 0, k.add(max, k.log(sum)));
      });
}

// Both products per pair, an online softmax over the scores (scale, maximum, subtract, exp,
// sum, cast: at least 6 element operations a pair), the caches read up to the last position.
KernelWork work(const std::vector<WorkArg>& args) {
  const TensorShape& q = tensor_arg("attention_fused", args, 0);
  const CacheShape k_cache = cache_shape("attention_fused", args, 1, q.dtype);
  const CacheShape v_cache = cache_shape("attention_fused", args, k_cache.next, q.dtype);
  const std::size_t s = v_cache.next + 2;
  const double seq_q = scalar_arg("attention_fused", args, s);
  const double position0 = scalar_arg("attention_fused", args, s + 1);
  const double kv_heads = scalar_arg("attention_fused", args, s + 2);
  const double head_dim = k_cache.cache->cols();
  const double batch = q.rows() / seq_q, heads = q.cols() / head_dim;
  const double pairs = attention_pairs(batch * heads, seq_q, position0);
  KernelWork w;
  w.flops[q.dtype] = 4 * pairs * head_dim;
  w.vector_ops = 6 * pairs;
  w.moves(q);
  w.moves(tensor_arg("attention_fused", args, v_cache.next));
  w.moves(tensor_arg("attention_fused", args, v_cache.next + 1));
  for (const CacheShape& c : {k_cache, v_cache})
    cache_reads(w, c, batch, kv_heads, position0 + seq_q);
  return w;
}

}  // namespace

KB_REGISTER_KERNEL(attention_fused,
                   "(q, k_cache[, k_scales], v_cache[, v_scales], out, lse, seq_q, position0, "
                   "kv_heads, scale)",
                   "softmax(scale . Q K^T) . V per head, key tile by key tile with an online "
                   "softmax (no scores stored); lse gets each row's log-sum-exp",
                   attention_fused, work);

}  // namespace kb::runtime

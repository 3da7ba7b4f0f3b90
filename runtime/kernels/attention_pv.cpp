#include "runtime/kernels/attention_geometry.h"
#include "runtime/kernels/registry.h"

namespace kb::runtime {

namespace {

// out (token-major) = probs . v over the keys each query sees.
// Args: (probs, v_cache[, v_scales], out, seq_q, position0, kv_heads); an int8 cache's
// tiles dequantised with their scales.
void attention_pv(KernelContext& k) {
  const TensorView& p = k.tensor(0);
  const CacheArg cache = cache_arg(k, "attention_pv", 1, p.dtype());
  const TensorView& out = k.tensor(cache.next);
  const Geometry g = geometry(k, "attention_pv", out, *cache.cache, cache.next + 1);
  require_scores("attention_pv", p, g);
  for_each_query_run(
      p, g, [&](std::int64_t row, std::int64_t n, std::int64_t b, std::int64_t h, std::int64_t i0) {
        const std::int64_t keys = keys_seen(g, i0, n), base = g.cache_row(b, h);
        const std::int64_t local = row - p.row0();
        struct Step {
          PendingTile probs;
          PendingRows values;
        };
        auto fetch = [&](std::int64_t j0) {
          const std::int64_t nj = std::min(kKeyTile, keys - j0);
          const Tile mask = causal_mask(k, g, i0, n, j0, nj);
          PendingTile probs = k.load_async(p, local, j0, n, nj, &mask, 0.0);
          return Step{std::move(probs), fetch_rows(k, cache, base + j0, nj, g.head_dim)};
        };
        Tile acc = k.full(n, g.head_dim, DType::f32, 0.0);
        Step next = fetch(0);
        for (std::int64_t j0 = 0; j0 < keys; j0 += kKeyTile) {
          Step current = std::move(next);
          if (j0 + kKeyTile < keys) next = fetch(j0 + kKeyTile);
          const Tile pt = k.wait(std::move(current.probs));
          acc = k.dot(pt, current.values.take(k, p.dtype()), &acc);
        }
        k.store_global_async(out, b * g.seq_q + i0, h * g.head_dim, k.cast(acc, out.dtype()));
      });
}

KernelWork work(const std::vector<WorkArg>& args) {
  return attention_work("attention_pv", args, true);
}

}  // namespace

KB_REGISTER_KERNEL(attention_pv, "(probs, v_cache[, v_scales], out, seq_q, position0, kv_heads)",
                   "P . V per head into the token-major attention output", attention_pv, work);

}  // namespace kb::runtime

#include "runtime/kernels/attention_geometry.h"
#include "runtime/kernels/registry.h"

namespace kb::runtime {

namespace {

// cache rows (b, g, position0 .. position0 + seq_q) = the new tokens' columns of kv head g.
// Args: (new [batch * seq_q, kv_heads * head_dim], cache[, scales], seq_q, position0,
// kv_heads); an int8 cache (runtime/kernel/quantisation.h) takes each row's codes, and
// `scales` (a column beside it) the row's scale.
void kv_append(KernelContext& k) {
  const TensorView& fresh = k.tensor(0);
  const TensorView& cache = k.tensor(1);
  const bool int8 = quantised_cache(fresh.dtype(), cache.dtype());
  const TensorView* scales = int8 ? &k.tensor(2) : nullptr;
  const Geometry g = geometry(k, "kv_append", fresh, cache, int8 ? 3 : 2);
  if (int8) require_cache_scales("kv_append", *scales, cache);
  if (g.heads != g.kv_heads) {
    bad("kv_append", fmt::format("new holds {} heads for {} kv heads", g.heads, g.kv_heads));
  }
  if (!cache.own_block()) return;
  const Block& own = *cache.own_block();
  if (own.cols != g.head_dim) bad("kv_append", "the cache must keep whole rows on each PE");
  const std::int64_t first = cache.row0() + own.row0, end = first + own.rows;
  for (std::int64_t row = first; row < end;) {
    const std::int64_t segment = row / g.capacity, at = row % g.capacity;
    const std::int64_t segment_end = std::min(end, (segment + 1) * g.capacity);
    const std::int64_t from = std::max(at, g.position0);
    const std::int64_t to = std::min(segment_end - segment * g.capacity, g.position0 + g.seq_q);
    for (std::int64_t j = from; j < to; j += kQueryRows) {
      const std::int64_t n = std::min(kQueryRows, to - j);
      const std::int64_t b = segment / g.kv_heads, head = segment % g.kv_heads;
      const Tile t = k.wait(k.load_global_async(fresh, b * g.seq_q + (j - g.position0),
                                                head * g.head_dim, n, g.head_dim));
      const std::int64_t to_row = segment * g.capacity + j;
      if (int8) {
        const QuantisedTile q = k.quantise_rows(t, scales->dtype());
        k.store_global_async(cache, to_row, 0, q.codes);
        k.store_global_async(*scales, to_row, 0, q.scales);
      } else {
        k.store_global_async(cache, to_row, 0, t);
      }
    }
    row = segment_end;
  }
}

// The new tokens read, as many cache rows written (an int8 cache's rows quantised: three
// vector passes, and a scale written per row).
KernelWork work(const std::vector<WorkArg>& args) {
  const TensorShape& fresh = tensor_arg("kv_append", args, 0);
  const TensorShape& cache = tensor_arg("kv_append", args, 1);
  KernelWork w;
  w.moves(fresh);
  w.bytes[cache.memory] += fresh.elements() * static_cast<double>(itemsize(cache.dtype));
  if (quantised_cache(fresh.dtype, cache.dtype)) {
    const TensorShape& scales = tensor_arg("kv_append", args, 2);
    w.vector(fresh, 3);
    w.bytes[scales.memory] +=
        fresh.elements() / cache.cols() * static_cast<double>(itemsize(scales.dtype));
  }
  return w;
}

}  // namespace

KB_REGISTER_KERNEL(kv_append, "(new, cache[, scales], seq_q, position0, kv_heads)",
                   "writes the new tokens' K or V into a head-major KV cache (an i8 cache: "
                   "each row's codes, its scale into scales)",
                   kv_append, work);

}  // namespace kb::runtime

#pragma once
// Causal self-attention over a KV cache: the geometry its kernels share (kv_append,
// attention_scores, causal_softmax, attention_pv), the causal mask and their work, in the
// layouts the transformer lowering uses (docs/workloads.md):
//   q      [batch * seq_q, heads * head_dim]        token-major, as the projection wrote it
//   cache  [batch * kv_heads * capacity, head_dim]  head-major: (batch, kv head, position)
//   scores, probs [batch * heads * seq_q, keys]     (batch, head, query); keys = position0 + seq_q
//   out    [batch * seq_q, heads * head_dim]        token-major again, for the projection
// Query i of a sequence sits at position position0 + i and sees keys 0 ..= position0 + i.
// Head h reads kv head h / (heads / kv_heads) (grouped-query attention). Each PE works on
// the rows of scores / probs / cache it owns, so a cache placed like the scores is read
// where it lives; work above the causal diagonal is skipped tile by tile.

#include "runtime/kernels/block_walk.h"
#include "runtime/kernels/kernel_work.h"

#include <fmt/format.h>

#include <cmath>

namespace kb::runtime {

constexpr std::int64_t kQueryRows = 64;  // queries per tile
constexpr std::int64_t kKeyTile = 256;   // keys per tile

struct Geometry {
  std::int64_t batch, seq_q, position0, heads, kv_heads, head_dim, capacity;
  std::int64_t group() const { return heads / kv_heads; }
  // First cache row of batch b's kv head for query head h.
  std::int64_t cache_row(std::int64_t b, std::int64_t h) const {
    return (b * kv_heads + h / group()) * capacity;
  }
};

[[noreturn]] inline void bad(const std::string& kernel, const std::string& why) {
  throw std::invalid_argument(kernel + ": " + why);
}

// The geometry from q (token-major), a cache and the scalar arguments at `first`
// (seq_q, position0, kv_heads).
inline Geometry geometry(KernelContext& k, const std::string& kernel, const TensorView& q,
                         const TensorView& cache, std::size_t first) {
  Geometry g{};
  g.seq_q = k.int_arg(first);
  g.position0 = k.int_arg(first + 1);
  g.kv_heads = k.int_arg(first + 2);
  g.head_dim = cache.global_cols();
  if (g.seq_q <= 0 || g.position0 < 0 || g.kv_heads <= 0 || g.head_dim <= 0) {
    bad(kernel, fmt::format("seq_q {}, position0 {}, kv_heads {}, head_dim {}", g.seq_q,
                            g.position0, g.kv_heads, g.head_dim));
  }
  if (q.global_rows() % g.seq_q != 0 || q.global_cols() % g.head_dim != 0) {
    bad(kernel, fmt::format("q is {} x {}: not (batch x {}) x (heads x {})", q.global_rows(),
                            q.global_cols(), g.seq_q, g.head_dim));
  }
  g.batch = q.global_rows() / g.seq_q;
  g.heads = q.global_cols() / g.head_dim;
  if (g.heads % g.kv_heads != 0 || cache.global_rows() % (g.batch * g.kv_heads) != 0) {
    bad(kernel, fmt::format("{} heads over {} kv heads, cache of {} rows for batch {}", g.heads,
                            g.kv_heads, cache.global_rows(), g.batch));
  }
  g.capacity = cache.global_rows() / (g.batch * g.kv_heads);
  if (g.position0 + g.seq_q > g.capacity) {
    bad(kernel,
        fmt::format("positions up to {} in a cache of {}", g.position0 + g.seq_q, g.capacity));
  }
  return g;
}

// Whether a cache of `cache` beside activations of `values` is int8 codes, with a column of
// scales after it in the arguments (runtime/kernel/quantisation.h).
inline bool quantised_cache(DType values, DType cache) {
  return is_float(values) && cache == DType::i8;
}
inline void require_cache_scales(const std::string& kernel, const TensorView& scales,
                                 const TensorView& cache) {
  if (scales.global_rows() != cache.global_rows() || scales.global_cols() != 1 ||
      !is_float(scales.dtype())) {
    bad(kernel,
        fmt::format("an int8 cache of {} rows takes a column of float scales, got {} x {} {}",
                    cache.global_rows(), scales.global_rows(), scales.global_cols(),
                    to_string(scales.dtype())));
  }
}

// A KV cache argument: the cache, and an int8 cache's scales (the argument after it).
struct CacheArg {
  const TensorView* cache = nullptr;
  const TensorView* scales = nullptr;
  std::size_t next = 0;  // the argument after it
};
inline CacheArg cache_arg(KernelContext& k, const std::string& kernel, std::size_t i,
                          DType values) {
  CacheArg c{&k.tensor(i), nullptr, i + 1};
  if (quantised_cache(values, c.cache->dtype())) {
    c.scales = &k.tensor(i + 1);
    require_cache_scales(kernel, *c.scales, *c.cache);
    c.next = i + 2;
  }
  return c;
}
// Cache rows in flight, and what they hold as `dtype` values once in (an int8 cache's
// dequantised with their scales).
struct PendingRows {
  PendingTile rows, scales;
  bool quantised = false;
  Tile take(KernelContext& k, DType dtype) {
    Tile t = k.wait(std::move(rows));
    return quantised ? k.dequantise_rows(t, k.wait(std::move(scales)), dtype) : t;
  }
};
inline PendingRows fetch_rows(KernelContext& k, const CacheArg& c, std::int64_t row, std::int64_t n,
                              std::int64_t head_dim) {
  PendingRows p{k.load_global_async(*c.cache, row, 0, n, head_dim), {}, c.scales != nullptr};
  if (p.quantised) p.scales = k.load_global_async(*c.scales, row, 0, n, 1);
  return p;
}
// The work model's view: the cache at argument i, its scales, the argument after them.
struct CacheShape {
  const TensorShape* cache = nullptr;
  const TensorShape* scales = nullptr;
  std::size_t next = 0;
};
inline CacheShape cache_shape(const std::string& kernel, const std::vector<WorkArg>& args,
                              std::size_t i, DType values) {
  CacheShape c{&tensor_arg(kernel, args, i), nullptr, i + 1};
  if (quantised_cache(values, c.cache->dtype)) {
    c.scales = &tensor_arg(kernel, args, i + 1);
    c.next = i + 2;
  }
  return c;
}

inline void require_scores(const std::string& kernel, const TensorView& s, const Geometry& g) {
  if (s.global_rows() != g.batch * g.heads * g.seq_q || s.global_cols() != g.position0 + g.seq_q) {
    bad(kernel, fmt::format("scores are {} x {}, expected {} x {}", s.global_rows(),
                            s.global_cols(), g.batch * g.heads * g.seq_q, g.position0 + g.seq_q));
  }
  if (s.own_block() && s.own_block()->cols != s.global_cols()) {
    bad(kernel, "the scores must keep whole rows on each PE (no column_wise split)");
  }
}

// Calls fn(row, n, b, h, i0) for runs of at most kQueryRows of the calling PE's own rows of
// `s` (global row `row` on), each within one (batch, head): queries i0 .. i0 + n - 1.
template <class Fn>
void for_each_query_run(const TensorView& s, const Geometry& g, Fn&& fn) {
  if (!s.own_block()) return;
  const Block& own = *s.own_block();
  const std::int64_t first = s.row0() + own.row0, end = first + own.rows;
  for (std::int64_t row = first; row < end;) {
    const std::int64_t i0 = row % g.seq_q;
    const std::int64_t n = std::min({kQueryRows, g.seq_q - i0, end - row});
    const std::int64_t bh = row / g.seq_q;
    fn(row, n, bh / g.heads, bh % g.heads, i0);
    row += n;
  }
}

// Keys the last of queries i0 .. i0 + n - 1 sees.
inline std::int64_t keys_seen(const Geometry& g, std::int64_t i0, std::int64_t n) {
  return g.position0 + i0 + n;
}

// Whether query i of a sequence (at position position0 + i) sees key j.
inline bool sees(const Geometry& g, std::int64_t i, std::int64_t j) { return j <= g.position0 + i; }

// 1 where query i0 + r may see key j0 + c.
inline Tile causal_mask(KernelContext& k, const Geometry& g, std::int64_t i0, std::int64_t n,
                        std::int64_t j0, std::int64_t cols) {
  return k.mask(n, cols, [&](std::int64_t r, std::int64_t c) { return sees(g, i0 + r, j0 + c); });
}

// The same as an f32 tile to add to scores: 0 where query i0 + r sees key j0 + c, minus
// infinity where it does not.
inline Tile causal_bias(const Geometry& g, std::int64_t i0, std::int64_t n, std::int64_t j0,
                        std::int64_t cols) {
  Tile bias(n, cols, DType::f32, true);
  for (std::int64_t r = 0; r < n; ++r) {
    for (std::int64_t c = 0; c < cols; ++c)
      if (!sees(g, i0 + r, j0 + c)) bias.set(r, c, -INFINITY);
  }
  return bias;
}

// The (query, key) pairs the causal attention of `sequences` (batch x heads) sequences of
// seq_q queries from position0 computes: query i sees position0 + i + 1 keys.
inline double attention_pairs(double sequences, double seq_q, double position0) {
  return sequences * (seq_q * position0 + seq_q * (seq_q + 1) / 2);
}

// What attention reads of a KV cache: its sequences' (batch x kv_heads) rows up to key
// `keys`, and of an int8 cache their scales too, every value dequantised once.
inline void cache_reads(KernelWork& w, const CacheShape& c, double batch, double kv_heads,
                        double keys) {
  const double rows = batch * kv_heads * keys;
  w.bytes[c.cache->memory] +=
      rows * c.cache->cols() * static_cast<double>(itemsize(c.cache->dtype));
  if (c.scales != nullptr) {
    w.bytes[c.scales->memory] += rows * static_cast<double>(itemsize(c.scales->dtype));
    w.dequant += rows * c.cache->cols();
  }
}

// The work of attention_scores (q, k_cache[, scales], scores, ...) or attention_pv (probs,
// v_cache[, scales], out, ...): a dot product of head_dim per pair, at the dtype of the
// token-major operand (q, or out: `out_is_tokens`); operands moved once, the cache up to
// the last position.
inline KernelWork attention_work(const std::string& kernel, const std::vector<WorkArg>& args,
                                 bool out_is_tokens) {
  const TensorShape& first = tensor_arg(kernel, args, 0);
  // probs (attention_pv's first) are in the activations' dtype too.
  const CacheShape cache = cache_shape(kernel, args, 1, first.dtype);
  const TensorShape& out = tensor_arg(kernel, args, cache.next);
  const TensorShape& tokens = out_is_tokens ? out : first;
  const std::size_t s = cache.next + 1;
  const double seq_q = scalar_arg(kernel, args, s), position0 = scalar_arg(kernel, args, s + 1);
  const double kv_heads = scalar_arg(kernel, args, s + 2);
  const double head_dim = cache.cache->cols();
  const double batch = tokens.rows() / seq_q, heads = tokens.cols() / head_dim;
  KernelWork w;
  w.flops[tokens.dtype] = 2 * attention_pairs(batch * heads, seq_q, position0) * head_dim;
  w.moves(first);
  w.moves(out);
  cache_reads(w, cache, batch, kv_heads, position0 + seq_q);
  return w;
}

}  // namespace kb::runtime

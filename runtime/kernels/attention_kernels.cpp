// Causal self-attention over a KV cache, in the layouts the transformer lowering uses
// (docs/workloads.md):
//   q      [batch * seq_q, heads * head_dim]           token-major, as the projection wrote it
//   cache  [batch * kv_heads * capacity, head_dim]     head-major: (batch, kv head, position)
//   scores, probs [batch * heads * seq_q, keys]        (batch, head, query); keys = position0 +
//   seq_q out    [batch * seq_q, heads * head_dim]           token-major again, for the projection
// Query i of a sequence sits at position position0 + i and sees keys 0 ..= position0 + i.
// Head h reads kv head h / (heads / kv_heads) (grouped-query attention). Each PE works on
// the rows of scores / probs / cache it owns, so a cache placed like the scores is read
// where it lives; work above the causal diagonal is skipped tile by tile.
#include "runtime/kernels/block_walk.h"
#include "runtime/kernels/registry.h"

#include <fmt/format.h>

#include <cmath>

namespace kb::runtime {

namespace {

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

[[noreturn]] void bad(const std::string& kernel, const std::string& why) {
  throw std::invalid_argument(kernel + ": " + why);
}

// The geometry from q (token-major), a cache and the scalar arguments at `first`
// (seq_q, position0, kv_heads).
Geometry geometry(KernelContext& k, const std::string& kernel, const TensorView& q,
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

void require_scores(const std::string& kernel, const TensorView& s, const Geometry& g) {
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
std::int64_t keys_seen(const Geometry& g, std::int64_t i0, std::int64_t n) {
  return g.position0 + i0 + n;
}

// 1 where query i0 + r may see key j0 + c.
Tile causal_mask(KernelContext& k, const Geometry& g, std::int64_t i0, std::int64_t n,
                 std::int64_t j0, std::int64_t cols) {
  return k.mask(n, cols,
                [&](std::int64_t r, std::int64_t c) { return j0 + c <= g.position0 + i0 + r; });
}

// cache rows (b, g, position0 .. position0 + seq_q) = the new tokens' columns of kv head g.
// Args: (new [batch * seq_q, kv_heads * head_dim], cache, seq_q, position0, kv_heads).
void kv_append(KernelContext& k) {
  const TensorView& fresh = k.tensor(0);
  const TensorView& cache = k.tensor(1);
  const Geometry g = geometry(k, "kv_append", fresh, cache, 2);
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
      k.store_global_async(cache, segment * g.capacity + j, 0, t);
    }
    row = segment_end;
  }
}

// scores = scale . q k^T for the keys each query may see (the rest of a tile above the
// diagonal is computed too; causal_softmax masks it).
// Args: (q, k_cache, scores, seq_q, position0, kv_heads, scale).
void attention_scores(KernelContext& k) {
  const TensorView& q = k.tensor(0);
  const TensorView& cache = k.tensor(1);
  const TensorView& s = k.tensor(2);
  const Geometry g = geometry(k, "attention_scores", q, cache, 3);
  const double scale = k.float_arg(6);
  require_scores("attention_scores", s, g);
  for_each_query_run(
      s, g, [&](std::int64_t row, std::int64_t n, std::int64_t b, std::int64_t h, std::int64_t i0) {
        const Tile qt =
            k.wait(k.load_global_async(q, b * g.seq_q + i0, h * g.head_dim, n, g.head_dim));
        const std::int64_t keys = keys_seen(g, i0, n), base = g.cache_row(b, h);
        auto fetch = [&](std::int64_t j0) {
          return k.load_global_async(cache, base + j0, 0, std::min(kKeyTile, keys - j0),
                                     g.head_dim);
        };
        PendingTile next = fetch(0);
        for (std::int64_t j0 = 0; j0 < keys; j0 += kKeyTile) {
          PendingTile current = std::move(next);
          if (j0 + kKeyTile < keys) next = fetch(j0 + kKeyTile);
          const Tile kt = k.wait(std::move(current));
          k.store_global_async(s, row, j0, k.mul(k.dot_nt(qt, kt), scale));
        }
      });
}

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

// out (token-major) = probs . v over the keys each query sees.
// Args: (probs, v_cache, out, seq_q, position0, kv_heads).
void attention_pv(KernelContext& k) {
  const TensorView& p = k.tensor(0);
  const TensorView& cache = k.tensor(1);
  const TensorView& out = k.tensor(2);
  const Geometry g = geometry(k, "attention_pv", out, cache, 3);
  require_scores("attention_pv", p, g);
  for_each_query_run(
      p, g, [&](std::int64_t row, std::int64_t n, std::int64_t b, std::int64_t h, std::int64_t i0) {
        const std::int64_t keys = keys_seen(g, i0, n), base = g.cache_row(b, h);
        const std::int64_t local = row - p.row0();
        struct Step {
          PendingTile probs, values;
        };
        auto fetch = [&](std::int64_t j0) {
          const std::int64_t nj = std::min(kKeyTile, keys - j0);
          const Tile mask = causal_mask(k, g, i0, n, j0, nj);
          PendingTile probs = k.load_async(p, local, j0, n, nj, &mask, 0.0);
          return Step{std::move(probs), k.load_global_async(cache, base + j0, 0, nj, g.head_dim)};
        };
        Tile acc = k.full(n, g.head_dim, DType::f32, 0.0);
        Step next = fetch(0);
        for (std::int64_t j0 = 0; j0 < keys; j0 += kKeyTile) {
          Step current = std::move(next);
          if (j0 + kKeyTile < keys) next = fetch(j0 + kKeyTile);
          const Tile pt = k.wait(std::move(current.probs));
          acc = k.dot(pt, k.wait(std::move(current.values)), &acc);
        }
        k.store_global_async(out, b * g.seq_q + i0, h * g.head_dim, k.cast(acc, out.dtype()));
      });
}

}  // namespace

void register_attention_kernels(KernelRegistry& registry) {
  registry.add({"kv_append", "(new, cache, seq_q, position0, kv_heads)",
                "writes the new tokens' K or V into a head-major KV cache", kv_append});
  registry.add({"attention_scores", "(q, k_cache, scores, seq_q, position0, kv_heads, scale)",
                "scale . Q K^T per head over the keys each query sees (batched, transposed K)",
                attention_scores});
  registry.add({"causal_softmax", "(scores, probs, seq_q, position0, kv_heads)",
                "row softmax over the keys each query sees (causal mask)", causal_softmax});
  registry.add({"attention_pv", "(probs, v_cache, out, seq_q, position0, kv_heads)",
                "P . V per head into the token-major attention output", attention_pv});
}

}  // namespace kb::runtime

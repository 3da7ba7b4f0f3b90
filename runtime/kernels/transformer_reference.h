#pragma once
// Host references for the transformer kernels (rmsnorm, rope, kv_append, the attention
// kernels, silu_mul, gelu), on tiles of values in their 2-D views. Each computes in double
// and rounds to the output dtype where the device stores. The tolerances the tests and the
// llm bench apply are in docs/kernels.md ("Transformer kernels").

#include "runtime/kernel/tile.h"

namespace kb::runtime {

// a . b (+ bias, a 1 x n row added to every row before the rounding, as gemm's epilogue).
Tile reference_matmul(const Tile& a, const Tile& b, DType out, const Tile* bias = nullptr);
Tile reference_rmsnorm(const Tile& x, double eps, DType out);
Tile reference_layernorm(const Tile& x, double eps, DType out);
Tile reference_rope(const Tile& x, std::int64_t seq_q, std::int64_t position0,
                    std::int64_t head_dim, double theta, DType out);
Tile reference_add(const Tile& x, const Tile& y, DType out);
Tile reference_silu_mul(const Tile& gate, const Tile& up, DType out);
Tile reference_gelu(const Tile& x, DType out);

// The attention geometry of runtime/kernels/attention_geometry.h.
struct AttentionShape {
  std::int64_t seq_q = 1, position0 = 0, kv_heads = 1, capacity = 1;
};
// `cache` rows (b, g, position0 ..) = the columns of kv head g of `fresh`'s tokens.
void reference_kv_append(const Tile& fresh, Tile& cache, const AttentionShape& s);
// `fresh`'s values as an int8 cache gives them back: each token's head_dim values of each kv
// head quantised with a scale of their own (runtime/kernel/quantisation.h), in `dtype`.
Tile reference_kv_rounded(const Tile& fresh, std::int64_t head_dim, DType dtype);
// softmax(scale . q k^T, causal) . v per head, probabilities rounded to `probs`.
Tile reference_attention(const Tile& q, const Tile& k_cache, const Tile& v_cache,
                         const AttentionShape& s, double scale, DType probs, DType out);

}  // namespace kb::runtime

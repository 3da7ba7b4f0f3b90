#include "runtime/workload/transformer_forward.h"

#include "runtime/kernels/transformer_reference.h"

#include <cmath>

namespace kb::runtime {

Tile reference_step(const ModelConfig& m, const StepShape& s, const StepData& data) {
  const DType dt = m.dtype;
  const LayerDims dims(m, s);
  const std::int64_t d = dims.head_dim;
  const AttentionShape attention{s.seq_q(), s.position0(), dims.kv_heads, s.capacity()};
  auto norm = [&](const Tile& x) {
    return m.norm == Norm::rmsnorm ? reference_rmsnorm(x, m.norm_eps, dt)
                                   : reference_layernorm(x, m.norm_eps, dt);
  };
  // x + the sum of every SIP's partial result, each rounded once to the dtype.
  auto add_partials = [&](const Tile& x, const std::vector<Tile>& partials) {
    Tile sum = partials.front();
    for (std::size_t i = 1; i < partials.size(); ++i) sum = reference_add(sum, partials[i], dt);
    return reference_add(x, sum, dt);
  };
  Tile x = data.input;
  for (const auto& layer : data.layers) {
    const Tile xn = norm(x);
    std::vector<Tile> partials;
    for (const StepData::SipLayer& w : layer) {
      Tile q = reference_matmul(xn, w.at("wq"), dt), k = reference_matmul(xn, w.at("wk"), dt);
      const Tile v = reference_matmul(xn, w.at("wv"), dt);
      if (m.rope) {
        q = reference_rope(q, s.seq_q(), s.position0(), d, m.rope_theta, dt);
        k = reference_rope(k, s.seq_q(), s.position0(), d, m.rope_theta, dt);
      }
      Tile k_cache = w.at("k_cache"), v_cache = w.at("v_cache");
      reference_kv_append(k, k_cache, attention);
      reference_kv_append(v, v_cache, attention);
      const Tile o = reference_attention(q, k_cache, v_cache, attention,
                                         1.0 / std::sqrt(static_cast<double>(d)), dt, dt);
      partials.push_back(reference_matmul(o, w.at("wo"), dt));
    }
    x = add_partials(x, partials);
    const Tile xm = norm(x);
    partials.clear();
    for (const StepData::SipLayer& w : layer) {
      const Tile up = reference_matmul(xm, w.at("w_up"), dt);
      const Tile act = m.gated()
                           ? reference_silu_mul(reference_matmul(xm, w.at("w_gate"), dt), up, dt)
                           : reference_gelu(up, dt);
      partials.push_back(reference_matmul(act, w.at("w_down"), dt));
    }
    x = add_partials(x, partials);
  }
  return x;
}

}  // namespace kb::runtime

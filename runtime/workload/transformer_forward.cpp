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
  // A projection by its weight's name, with its bias when the model has them.
  auto project = [&](const Tile& in, const StepData::SipLayer& w, const std::string& weight) {
    return reference_matmul(in, w.at(weight), dt, m.bias ? &w.at(bias_of(weight)) : nullptr);
  };
  Tile x = data.input;
  for (const auto& layer : data.layers) {
    const Tile xn = norm(x);
    std::vector<Tile> partials;
    for (const StepData::SipLayer& w : layer) {
      Tile q = project(xn, w, "wq"), k = project(xn, w, "wk");
      Tile v = project(xn, w, "wv");
      if (m.rope) {
        q = reference_rope(q, s.seq_q(), s.position0(), d, m.rope_theta, dt);
        k = reference_rope(k, s.seq_q(), s.position0(), d, m.rope_theta, dt);
      }
      Tile k_cache = w.at("k_cache"), v_cache = w.at("v_cache");
      // An int8 cache holds what its rows' codes and scales give back.
      if (m.kv_int8()) {
        k = reference_kv_rounded(k, d, dt);
        v = reference_kv_rounded(v, d, dt);
      }
      reference_kv_append(k, k_cache, attention);
      reference_kv_append(v, v_cache, attention);
      const Tile o = reference_attention(q, k_cache, v_cache, attention,
                                         1.0 / std::sqrt(static_cast<double>(d)), dt, dt);
      partials.push_back(project(o, w, "wo"));
    }
    x = add_partials(x, partials);
    const Tile xm = norm(x);
    partials.clear();
    for (const StepData::SipLayer& w : layer) {
      const Tile up = project(xm, w, "w_up");
      const Tile act =
          m.gated() ? reference_silu_mul(project(xm, w, "w_gate"), up, dt) : reference_gelu(up, dt);
      partials.push_back(project(act, w, "w_down"));
    }
    x = add_partials(x, partials);
  }
  return x;
}

Tile reference_logits(const ModelConfig& m, const StepShape& s, const StepData& data,
                      const Tile& hidden, Tile* normed) {
  Tile last(s.batch, m.hidden_size, m.dtype, true);
  for (std::int64_t b = 0; b < s.batch; ++b) {
    const std::int64_t row = (b + 1) * s.seq_q() - 1;
    for (std::int64_t c = 0; c < m.hidden_size; ++c) last.set(b, c, hidden.at(row, c));
  }
  Tile xf = m.norm == Norm::rmsnorm ? reference_rmsnorm(last, m.norm_eps, m.dtype)
                                    : reference_layernorm(last, m.norm_eps, m.dtype);
  Tile logits = reference_matmul(xf, data.model.at("w_head"), DType::f32);
  if (normed != nullptr) *normed = std::move(xf);
  return logits;
}

}  // namespace kb::runtime

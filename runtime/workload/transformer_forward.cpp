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
  // An MLP on `in` by the weights `prefix`w_up (w_gate) w_down of `w`.
  auto mlp = [&](const Tile& in, const StepData::SipLayer& w, const std::string& prefix) {
    const Tile up = project(in, w, prefix + "w_up");
    const Tile act = m.gated() ? reference_silu_mul(project(in, w, prefix + "w_gate"), up, dt)
                               : reference_gelu(up, dt);
    return project(act, w, prefix + "w_down");
  };
  // A mixture: the router's softmax weighs each token's experts (rounded to the f32 the gates
  // are stored in), their outputs summed in f32 onto the shared experts' and rounded once.
  auto experts = [&](const Tile& xm, const StepData::SipLayer& w,
                     const std::vector<std::int32_t>& choices) {
    const Tile logits = project(xm, w, "w_router");
    const Tile shared = m.n_shared_experts > 0 ? mlp(xm, w, "s.") : Tile();
    const std::int64_t k = m.num_experts_per_tok, H = xm.cols();
    Tile out(xm.rows(), H, dt, true);
    std::vector<double> p(static_cast<std::size_t>(logits.cols()));
    for (std::int64_t t = 0; t < xm.rows(); ++t) {
      double top = -INFINITY, all = 0, chosen = 0;
      for (std::int64_t e = 0; e < logits.cols(); ++e) top = std::max(top, logits.at(t, e));
      for (std::int64_t e = 0; e < logits.cols(); ++e) {
        p[static_cast<std::size_t>(e)] = std::exp(logits.at(t, e) - top);
        all += p[static_cast<std::size_t>(e)];
      }
      auto expert = [&](std::int64_t j) { return choices[static_cast<std::size_t>(t * k + j)]; };
      for (std::int64_t j = 0; j < k; ++j) chosen += p[static_cast<std::size_t>(expert(j))];
      std::vector<double> sum(static_cast<std::size_t>(H), 0.0);
      for (std::int64_t c = 0; m.n_shared_experts > 0 && c < H; ++c)
        sum[static_cast<std::size_t>(c)] = shared.at(t, c);
      const Tile row = xm.block(t, 0, 1, H);
      for (std::int64_t j = 0; j < k; ++j) {
        const double gate = round_to(
            DType::f32, p[static_cast<std::size_t>(expert(j))] / (m.norm_topk_prob ? chosen : all));
        const Tile y = mlp(row, w, "x" + std::to_string(expert(j)) + ".");
        for (std::int64_t c = 0; c < H; ++c) sum[static_cast<std::size_t>(c)] += gate * y.at(0, c);
      }
      for (std::int64_t c = 0; c < H; ++c) out.set(t, c, sum[static_cast<std::size_t>(c)]);
    }
    return out;
  };
  Tile x = data.input;
  for (std::size_t l = 0; l < data.layers.size(); ++l) {
    const auto& layer = data.layers[l];
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
      partials.push_back(m.moe_layer(static_cast<std::int64_t>(l)) ? experts(xm, w, data.routing[l])
                                                                   : mlp(xm, w, ""));
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

#include "runtime/workload/step_shape.h"

#include "runtime/kernels/kernel_work.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

namespace kb::runtime {

const char* to_string(Phase phase) { return phase == Phase::prefill ? "prefill" : "decode"; }

const char* to_string(AttentionMode mode) {
  return mode == AttentionMode::fused ? "fused" : "materialized";
}

const char* to_string(Fusion fusion) {
  switch (fusion) {
    case Fusion::none: return "none";
    case Fusion::qkv: return "qkv";
    case Fusion::mlp: return "mlp";
    case Fusion::all: return "all";
  }
  return "?";
}

std::optional<Fusion> parse_fusion(std::string_view name) {
  for (Fusion f : {Fusion::none, Fusion::qkv, Fusion::mlp, Fusion::all}) {
    if (name == to_string(f)) return f;
  }
  return std::nullopt;
}

const char* to_string(MappingMode mode) {
  switch (mode) {
    case MappingMode::automatic: return "auto";
    case MappingMode::columns: return "columns";
    case MappingMode::grid: return "grid";
  }
  return "?";
}

std::optional<MappingMode> parse_mapping(std::string_view name) {
  for (MappingMode m : {MappingMode::automatic, MappingMode::columns, MappingMode::grid}) {
    if (name == to_string(m)) return m;
  }
  return std::nullopt;
}

bool folds_norm(const ModelConfig& model, const StepShape& shape) {
  return shape.fusion == Fusion::all && model.norm == Norm::rmsnorm;
}

bool folds_residual(const StepShape& shape) { return shape.fusion == Fusion::all; }

std::string step_shape_problem(const ModelConfig& m, const StepShape& s, std::int64_t sips) {
  if (s.tp < 1 || s.tp > sips) {
    return fmt::format("tp={}: the topology has {} SIP(s)", s.tp, sips);
  }
  if (s.ep < 1 || (s.ep > 1 && !m.moe())) {
    return fmt::format("ep={}: expert parallelism splits a mixture's experts; model {} has none",
                       s.ep, m.name);
  }
  if (s.pp < 1 || s.sips() > sips) {
    return fmt::format("tp={} x ep={} x pp={} = {} SIPs: the topology has {}", s.tp, s.ep, s.pp,
                       s.tp * s.ep * s.pp, sips);
  }
  if (m.moe() && m.num_local_experts % s.ep != 0) {
    return fmt::format("ep={} does not divide the {} experts of model {}", s.ep,
                       m.num_local_experts, m.name);
  }
  if (s.microbatches < 1 || s.batch % (s.microbatches * s.ep) != 0) {
    return fmt::format(
        "microbatches={} x ep={}: must divide batch {} (each expert-parallel rank "
        "runs its share of the sequences)",
        s.microbatches, s.ep, s.batch);
  }
  if (m.moe() && folds_residual(s)) {
    return "fusion=all: a mixture's MLP ends in the experts' weighted sum, not a projection the "
           "residual folds into; use none, qkv or mlp";
  }
  if (s.routing_skew < 0 || s.routing_skew > 1) {
    return fmt::format("routing_skew={}: from 0 (uniform) to 1 (every token to expert 0)",
                       s.routing_skew);
  }
  if (s.layers < s.pp) {
    return fmt::format("pp={} stages for {} layer(s): each stage needs one", s.pp, s.layers);
  }
  for (const auto& [what, count] :
       {std::pair<const char*, std::int64_t>{"num_attention_heads", m.num_attention_heads},
        {"num_key_value_heads", m.num_key_value_heads},
        {"intermediate_size", m.intermediate_size},
        {"moe_intermediate_size", m.moe() ? m.moe_intermediate_size : 0},
        {"n_shared_experts x moe_intermediate_size",
         m.n_shared_experts * m.moe_intermediate_size}}) {
    if (count % s.tp != 0) {
      std::vector<std::int64_t> valid;
      for (std::int64_t tp = 1; tp <= sips; ++tp) {
        if (m.num_attention_heads % tp == 0 && m.num_key_value_heads % tp == 0 &&
            m.intermediate_size % tp == 0 && m.moe_intermediate_size % tp == 0)
          valid.push_back(tp);
      }
      return fmt::format("tp={} does not divide {} = {} of model {} (tp here: {})", s.tp, what,
                         count, m.name, fmt::join(valid, ", "));
    }
  }
  const std::int64_t group = m.quant_group_size;
  if (m.weight_bits != 0 &&
      ((m.hidden_size / s.tp) % group != 0 || (m.intermediate_size / s.tp) % group != 0 ||
       (m.moe_intermediate_size / s.tp) % group != 0)) {
    return fmt::format(
        "tp={} leaves {} and {} input rows of the row-parallel projections on each "
        "SIP, not whole groups of quant_group_size {}",
        s.tp, m.hidden_size / s.tp, m.intermediate_size / s.tp, group);
  }
  if (s.past < 0 || (s.past > 0 && s.phase != Phase::prefill)) {
    return fmt::format("past={}: a prefill chunk's cached tokens, 0 or more (decode's are seq)",
                       s.past);
  }
  if (s.layers < 1 || s.layers > m.num_hidden_layers) {
    return fmt::format("layers={}: model {} has {} (0 runs them all)", s.layers, m.name,
                       m.num_hidden_layers);
  }
  return "";
}

StepWork step_work(const ModelConfig& m, const StepShape& s) {
  const DType dt = m.dtype;
  const std::int64_t tokens = s.tokens(), d = m.head_dim();
  // A product of `rows` tokens through a projection, as gemm counts it.
  auto product = [&](std::int64_t rows, const ModelConfig::Projection& p) {
    const auto [in, out] = p;
    return kernel_work("gemm",
                       std::vector<WorkArg>{TensorShape{{rows, in}, dt}, TensorShape{{in, out}, dt},
                                            TensorShape{{rows, out}, dt}})
        .matrix_flops();
  };
  auto mlp = [&](std::int64_t rows, std::int64_t columns) {
    double flops = 0;
    for (const ModelConfig::Projection& p : m.mlp_projections(columns)) flops += product(rows, p);
    return flops;
  };
  // Attention's projections on the step's tokens, then its two products over the (query,
  // key) pairs, each as its kernel counts it.
  const std::int64_t H = m.hidden_size;
  double attention_flops = 0;
  for (const ModelConfig::Projection& p : m.attention_projections())
    attention_flops += product(tokens, p);
  const TensorShape q{{tokens, m.num_attention_heads * d}, dt};
  const TensorShape cache{{s.batch * m.num_key_value_heads * s.keys(), d}, dt};
  const TensorShape scores{{s.batch * m.num_attention_heads * s.seq_q(), s.keys()}, dt};
  const std::vector<WorkArg> geometry{static_cast<double>(s.seq_q()),
                                      static_cast<double>(s.position0()),
                                      static_cast<double>(m.num_key_value_heads)};
  auto with_geometry = [&](std::vector<WorkArg> args) {
    args.insert(args.end(), geometry.begin(), geometry.end());
    return args;
  };
  attention_flops +=
      kernel_work("attention_scores", with_geometry({q, cache, scores})).matrix_flops() +
      kernel_work("attention_pv", with_geometry({scores, cache, q})).matrix_flops();
  const double item = static_cast<double>(itemsize(dt));
  // The LM head on each sequence's last token; the embedding rows of every token.
  const double hidden = static_cast<double>(H);
  const double vocab = static_cast<double>(m.vocab_size);
  StepWork w;
  w.flops = 2 * static_cast<double>(s.batch) * hidden * vocab;
  w.weight_bytes = (hidden * vocab + static_cast<double>(tokens) * hidden) * item;
  for (std::int64_t l = 0; l < s.layers; ++l) {
    w.flops += attention_flops;
    if (!m.moe_layer(l)) {
      w.flops += mlp(tokens, m.intermediate_size);
      w.weight_bytes += m.layer_weight_bytes(l);
      continue;
    }
    // A mixture: the router on every token, each token through its chosen experts and the
    // shared ones; the weights of as many experts as the tokens' choices can reach.
    const std::int64_t shared = m.n_shared_experts * m.moe_intermediate_size;
    w.flops += product(tokens, {H, m.num_local_experts}) +
               mlp(tokens * m.num_experts_per_tok, m.moe_intermediate_size) +
               (shared > 0 ? mlp(tokens, shared) : 0.0);
    auto bytes = [&](const std::vector<ModelConfig::Projection>& projections) {
      double sum = 0;
      for (const ModelConfig::Projection& p : projections) sum += m.projection_bytes(p);
      return sum;
    };
    const double expert = bytes(m.mlp_projections(m.moe_intermediate_size));
    const double dense = bytes(m.attention_projections()) +
                         m.projection_bytes({H, m.num_local_experts}) +
                         (shared > 0 ? bytes(m.mlp_projections(shared)) : 0.0);
    const auto touched =
        static_cast<double>(std::min(m.num_local_experts, tokens * m.num_experts_per_tok));
    w.weight_bytes += dense + touched * expert;
  }
  w.kv_bytes = static_cast<double>(s.layers) * 2 * static_cast<double>(s.batch) *
               static_cast<double>(s.keys()) * static_cast<double>(m.num_key_value_heads) *
               m.kv_row_bytes();
  return w;
}

}  // namespace kb::runtime

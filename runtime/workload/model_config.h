#pragma once
// A transformer decoder's shape, read from YAML with Hugging Face's field names
// (configs/models/*.yaml, docs/workloads.md): a preset by name or any file, validated like
// a topology (file:line:col: key: what is wrong).

#include "runtime/tensor/dtype.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kb::runtime {

enum class Activation { gelu, silu };  // silu: a gated MLP (SwiGLU)
enum class Norm { layernorm, rmsnorm };

struct ModelConfig {
  std::string name;    // the preset's name or the file's path
  std::string source;  // where it was read: "<embedded configs/models/x.yaml>" or the path
  std::int64_t hidden_size = 0;
  std::int64_t num_attention_heads = 0;
  std::int64_t num_key_value_heads = 0;  // grouped-query attention when fewer than the heads
  std::int64_t intermediate_size = 0;
  std::int64_t num_hidden_layers = 0;
  std::int64_t vocab_size = 0;
  Activation hidden_act = Activation::silu;
  Norm norm = Norm::rmsnorm;
  double norm_eps = 1e-5;  // rms_norm_eps or layer_norm_epsilon
  bool rope = true;
  double rope_theta = 10000.0;
  bool bias = false;  // the projections add a bias (GPT-2); the norms' are folded into them
  DType dtype = DType::f16;
  // The projections' weights stored as int8 or int4 codes with a scale per group of
  // `quant_group_size` input rows (runtime/kernel/quantisation.h); 0: in `dtype`.
  int weight_bits = 0;
  std::int64_t quant_group_size = 128;
  // The KV cache: in `dtype`, or i8 codes with a scale per token and kv head.
  DType kv_dtype = DType::f16;
  // A mixture of experts (docs/workloads.md, "Mixture of experts"): from layer
  // `first_k_dense_replace` on, the MLP is `num_local_experts` routed experts (0: a dense
  // model) of `moe_intermediate_size` columns, `num_experts_per_tok` of them per token,
  // weighted by the router's softmax (over the chosen experts' logits with
  // `norm_topk_prob`, as Mixtral; over all of them otherwise, as DeepSeekMoE), plus
  // `n_shared_experts` experts every token goes through.
  std::int64_t num_local_experts = 0;
  std::int64_t num_experts_per_tok = 0;
  std::int64_t moe_intermediate_size = 0;
  std::int64_t n_shared_experts = 0;
  std::int64_t first_k_dense_replace = 0;
  bool norm_topk_prob = true;

  std::int64_t head_dim() const { return hidden_size / num_attention_heads; }
  bool gated() const { return hidden_act == Activation::silu; }
  bool moe() const { return num_local_experts > 0; }
  // Whether layer `layer`'s MLP is the experts' (else the dense one of intermediate_size).
  bool moe_layer(std::int64_t layer) const { return moe() && layer >= first_k_dense_replace; }
  // The projections of one decoder layer, each (inputs, outputs): q, k, v, o, then the
  // MLP's: a dense layer's up (and gate, when gated) and down; an expert layer's router
  // (hidden -> experts), each routed expert's up, gate and down, the shared experts' (one
  // MLP of n_shared_experts x moe_intermediate_size columns). Norms have no weights here
  // (folded in).
  using Projection = std::pair<std::int64_t, std::int64_t>;
  std::vector<Projection> projections(std::int64_t layer = 0) const;
  // Attention's projections: q, k, v, o.
  std::vector<Projection> attention_projections() const;
  // An MLP's projections for `columns` intermediate columns: up (gate) and down.
  std::vector<Projection> mlp_projections(std::int64_t columns) const;
  // Weights of one decoder layer: the projections' sizes summed, with their biases.
  std::int64_t layer_parameters(std::int64_t layer = 0) const;
  // Bytes a projection's weights take as stored: codes and scales when quantised, with
  // its bias (in dtype); and those of a whole layer.
  double projection_bytes(const Projection& projection) const;
  double layer_weight_bytes(std::int64_t layer = 0) const;
  // "f16" ... or "int8", "int4": what the projections' weights are stored as.
  std::string weight_dtype() const;
  bool kv_int8() const { return kv_dtype == DType::i8; }
  // "f16" ... or "int8": what the KV cache is stored as.
  std::string kv_cache_dtype() const;
  // Bytes one token of one kv head takes in the cache: its head_dim values (and a scale).
  double kv_row_bytes() const;
};

// Stores the projections' weights as `weight_dtype` (the model's dtype, int8 or int4) in
// groups of `group` input rows. Returns why that cannot be, or "" once done.
std::string set_weight_dtype(ModelConfig& model, const std::string& weight_dtype,
                             std::int64_t group);
// Stores the KV cache as `kv_dtype` (the model's dtype or int8). Returns why that cannot be,
// or "" once done.
std::string set_kv_dtype(ModelConfig& model, const std::string& kv_dtype);

// The names of the presets compiled in (configs/models/*.yaml).
std::vector<std::string> model_presets();
// The preset called `name_or_path`, else the file at that path. Throws
// platform::ConfigError for a bad file (and a missing one that names no preset).
ModelConfig load_model(const std::string& name_or_path);
// The model described by `yaml`, read from `source`.
ModelConfig parse_model(const std::string& yaml, const std::string& source,
                        const std::string& name);

}  // namespace kb::runtime

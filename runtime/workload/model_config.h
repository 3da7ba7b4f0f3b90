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

  std::int64_t head_dim() const { return hidden_size / num_attention_heads; }
  bool gated() const { return hidden_act == Activation::silu; }
  // The projections of one decoder layer, each (inputs, outputs): q, k, v, o, then the
  // MLP's up (and gate, when gated) and down. Norms have no weights here (folded in).
  std::vector<std::pair<std::int64_t, std::int64_t>> projections() const;
  // Weights of one decoder layer: the projections' sizes summed, with their biases.
  std::int64_t layer_parameters() const;
};

// The names of the presets compiled in (configs/models/*.yaml).
std::vector<std::string> model_presets();
// The preset called `name_or_path`, else the file at that path. Throws
// platform::ConfigError for a bad file (and a missing one that names no preset).
ModelConfig load_model(const std::string& name_or_path);
// The model described by `yaml`, read from `source`.
ModelConfig parse_model(const std::string& yaml, const std::string& source,
                        const std::string& name);

}  // namespace kb::runtime

#include "runtime/workload/model_config.h"

#include "platform/util/config_file.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>

namespace kb::runtime {

// Generated from configs/models/*.yaml (model_presets.cpp.in): preset name -> text.
const std::map<std::string, std::string>& model_preset_texts();

namespace {

using platform::ConfigError;

class Reader {
 public:
  Reader(const YAML::Node& root, std::string source) : root_(root), source_(std::move(source)) {}

  std::int64_t integer(const std::string& key, std::int64_t max, std::int64_t min = 1) const {
    const YAML::Node n = required(key);
    std::int64_t v = 0;
    const std::string text = n.IsScalar() ? n.Scalar() : "";
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) {
      fail(n, key, fmt::format("expected an integer from {} to {}, got '{}'", min, max, text));
    }
    return v;
  }
  double number(const std::string& key, double fallback, double low, double high) const {
    const YAML::Node n = root_[key];
    if (!n) return fallback;
    double v = 0;
    try {
      v = n.as<double>();
    } catch (const YAML::Exception&) {
      fail(n, key, fmt::format("expected a number, got '{}'", n.IsScalar() ? n.Scalar() : ""));
    }
    if (!(v > low && v < high)) {
      fail(n, key,
           fmt::format("expected a number above {:g} and below {:g}, got {:g}", low, high, v));
    }
    return v;
  }
  std::string choice(const std::string& key, const std::vector<std::string>& allowed) const {
    const YAML::Node n = required(key);
    const std::string v = n.IsScalar() ? n.Scalar() : "";
    if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
      fail(n, key, fmt::format("expected {}, got '{}'", fmt::join(allowed, " | "), v));
    }
    return v;
  }
  bool flag(const std::string& key) const {
    const YAML::Node n = required(key);
    try {
      return n.as<bool>();
    } catch (const YAML::Exception&) {
      fail(n, key, fmt::format("expected true or false, got '{}'", n.IsScalar() ? n.Scalar() : ""));
    }
  }
  bool has(const std::string& key) const { return static_cast<bool>(root_[key]); }
  [[noreturn]] void fail(const YAML::Node& n, const std::string& key,
                         const std::string& why) const {
    throw ConfigError(platform::located(source_, n.Mark()), key, why);
  }
  [[noreturn]] void fail_at_top(const std::string& key, const std::string& why) const {
    throw ConfigError(platform::located(source_, root_.Mark()), key, why);
  }

 private:
  YAML::Node required(const std::string& key) const {
    const YAML::Node n = root_[key];
    if (!n) fail_at_top(key, "missing: every model names it (docs/workloads.md)");
    return n;
  }
  const YAML::Node& root_;
  std::string source_;
};

const std::vector<std::string> kKeys = {"hidden_size",
                                        "num_attention_heads",
                                        "num_key_value_heads",
                                        "intermediate_size",
                                        "num_hidden_layers",
                                        "vocab_size",
                                        "hidden_act",
                                        "norm",
                                        "rms_norm_eps",
                                        "layer_norm_epsilon",
                                        "rope",
                                        "rope_theta",
                                        "bias",
                                        "dtype",
                                        "weight_dtype",
                                        "quant_group_size",
                                        "kv_dtype",
                                        "num_local_experts",
                                        "n_routed_experts",
                                        "num_experts_per_tok",
                                        "moe_intermediate_size",
                                        "n_shared_experts",
                                        "first_k_dense_replace",
                                        "norm_topk_prob"};

// The mixture of experts' keys: all or none of the routed experts' (either name of their
// count), the rest only with them.
void read_experts(const Reader& r, const YAML::Node& root, ModelConfig& m) {
  const bool mixtral = r.has("num_local_experts"), deepseek = r.has("n_routed_experts");
  if (mixtral && deepseek) {
    r.fail(root["n_routed_experts"], "n_routed_experts",
           "given with num_local_experts: the same count, name it once");
  }
  if (!mixtral && !deepseek) {
    for (const char* key : {"num_experts_per_tok", "moe_intermediate_size", "n_shared_experts",
                            "first_k_dense_replace", "norm_topk_prob"}) {
      if (r.has(key))
        r.fail(root[key], key, "given without num_local_experts (or n_routed_experts)");
    }
    return;
  }
  m.num_local_experts = r.integer(mixtral ? "num_local_experts" : "n_routed_experts", 4096);
  m.num_experts_per_tok = r.integer("num_experts_per_tok", m.num_local_experts);
  m.moe_intermediate_size = r.has("moe_intermediate_size")
                                ? r.integer("moe_intermediate_size", 1 << 22)
                                : m.intermediate_size;
  m.n_shared_experts = r.has("n_shared_experts") ? r.integer("n_shared_experts", 64, 0) : 0;
  m.first_k_dense_replace = r.has("first_k_dense_replace")
                                ? r.integer("first_k_dense_replace", m.num_hidden_layers, 0)
                                : 0;
  m.norm_topk_prob = !r.has("norm_topk_prob") || r.flag("norm_topk_prob");
}

}  // namespace

std::vector<ModelConfig::Projection> ModelConfig::mlp_projections(std::int64_t columns) const {
  std::vector<Projection> out{{hidden_size, columns}};
  if (gated()) out.emplace_back(hidden_size, columns);
  out.emplace_back(columns, hidden_size);
  return out;
}

std::vector<ModelConfig::Projection> ModelConfig::attention_projections() const {
  const std::int64_t kv = num_key_value_heads * head_dim();
  return {
      {hidden_size, hidden_size}, {hidden_size, kv}, {hidden_size, kv}, {hidden_size, hidden_size}};
}

std::vector<ModelConfig::Projection> ModelConfig::projections(std::int64_t layer) const {
  std::vector<Projection> out = attention_projections();
  auto mlp = [&](std::int64_t columns) {
    const std::vector<Projection> p = mlp_projections(columns);
    out.insert(out.end(), p.begin(), p.end());
  };
  if (!moe_layer(layer)) {
    mlp(intermediate_size);
    return out;
  }
  out.emplace_back(hidden_size, num_local_experts);
  for (std::int64_t e = 0; e < num_local_experts; ++e) mlp(moe_intermediate_size);
  if (n_shared_experts > 0) mlp(n_shared_experts * moe_intermediate_size);
  return out;
}

std::int64_t ModelConfig::layer_parameters(std::int64_t layer) const {
  std::int64_t n = 0;
  for (const auto& [in, out] : projections(layer)) n += in * out + (bias ? out : 0);
  return n;
}

double ModelConfig::projection_bytes(const Projection& p) const {
  const auto item = static_cast<double>(itemsize(dtype));
  const auto [in, out] = p;
  const auto weights = static_cast<double>(in * out);
  double bytes = weight_bits == 0 ? weights * item
                                  : weights * weight_bits / 8 +
                                        static_cast<double>(in / quant_group_size * out) * item;
  if (bias) bytes += static_cast<double>(out) * item;
  return bytes;
}

double ModelConfig::layer_weight_bytes(std::int64_t layer) const {
  double bytes = 0;
  for (const Projection& p : projections(layer)) bytes += projection_bytes(p);
  return bytes;
}

std::string ModelConfig::weight_dtype() const {
  return weight_bits == 0 ? to_string(dtype) : fmt::format("int{}", weight_bits);
}

std::string set_weight_dtype(ModelConfig& m, const std::string& weight_dtype, std::int64_t group) {
  int bits = 0;
  if (weight_dtype == "int8" || weight_dtype == "int4") {
    bits = weight_dtype == "int8" ? 8 : 4;
  } else if (weight_dtype != to_string(m.dtype)) {
    return fmt::format("expected {} (the model's dtype), int8 or int4, got '{}'",
                       to_string(m.dtype), weight_dtype);
  }
  if (bits != 0) {
    // Every projection's input rows (hidden and intermediate, whole or split over tp SIPs
    // by whole heads' worth) fall into whole groups of whole bytes of codes.
    const std::int64_t expert = m.moe() ? m.moe_intermediate_size : m.intermediate_size;
    if (group < 1 || m.hidden_size % group != 0 || m.intermediate_size % group != 0 ||
        expert % group != 0 || group * bits % 8 != 0) {
      return fmt::format(
          "groups of {} input rows must divide hidden_size {} and "
          "intermediate_size {}{}{}",
          group, m.hidden_size, m.intermediate_size,
          m.moe() ? fmt::format(" and moe_intermediate_size {}", expert) : std::string(),
          bits == 4 ? " and be even (two int4 codes a byte)" : "");
    }
  }
  m.weight_bits = bits;
  m.quant_group_size = group;
  return "";
}

double ModelConfig::kv_row_bytes() const {
  const auto item = static_cast<double>(itemsize(dtype));
  return kv_int8() ? static_cast<double>(head_dim()) + item
                   : static_cast<double>(head_dim()) * item;
}

std::string ModelConfig::kv_cache_dtype() const { return kv_int8() ? "int8" : to_string(kv_dtype); }

std::string set_kv_dtype(ModelConfig& m, const std::string& kv_dtype) {
  if (kv_dtype != "int8" && kv_dtype != to_string(m.dtype)) {
    return fmt::format("expected {} (the model's dtype) or int8, got '{}'", to_string(m.dtype),
                       kv_dtype);
  }
  m.kv_dtype = kv_dtype == "int8" ? DType::i8 : m.dtype;
  return "";
}

ModelConfig parse_model(const std::string& yaml, const std::string& source,
                        const std::string& name) {
  const YAML::Node root = platform::parse_config_document(yaml, source);
  if (!root.IsMap()) {
    throw ConfigError(platform::located(source, root.Mark()), "model",
                      "expected a mapping of Hugging Face config fields");
  }
  platform::check_keys(source, "", root, kKeys);
  const Reader r(root, source);
  ModelConfig m;
  m.name = name;
  m.source = source;
  m.hidden_size = r.integer("hidden_size", 1 << 20);
  m.num_attention_heads = r.integer("num_attention_heads", m.hidden_size);
  if (m.hidden_size % m.num_attention_heads != 0) {
    r.fail(
        root["num_attention_heads"], "num_attention_heads",
        fmt::format("{} heads do not divide hidden_size {}", m.num_attention_heads, m.hidden_size));
  }
  m.num_key_value_heads = r.has("num_key_value_heads")
                              ? r.integer("num_key_value_heads", m.num_attention_heads)
                              : m.num_attention_heads;
  if (m.num_attention_heads % m.num_key_value_heads != 0) {
    r.fail(root["num_key_value_heads"], "num_key_value_heads",
           fmt::format("{} key/value heads do not divide the {} attention heads",
                       m.num_key_value_heads, m.num_attention_heads));
  }
  m.intermediate_size = r.integer("intermediate_size", 1 << 22);
  m.num_hidden_layers = r.integer("num_hidden_layers", 4096);
  m.vocab_size = r.integer("vocab_size", 1 << 24);
  m.hidden_act =
      r.choice("hidden_act", {"gelu", "silu"}) == "silu" ? Activation::silu : Activation::gelu;
  m.norm =
      r.choice("norm", {"layernorm", "rmsnorm"}) == "rmsnorm" ? Norm::rmsnorm : Norm::layernorm;
  const std::string eps_key = m.norm == Norm::rmsnorm ? "rms_norm_eps" : "layer_norm_epsilon";
  const std::string other_eps = m.norm == Norm::rmsnorm ? "layer_norm_epsilon" : "rms_norm_eps";
  if (r.has(other_eps)) {
    r.fail(root[other_eps], other_eps,
           fmt::format("belongs to the other norm; norm {} takes {}",
                       m.norm == Norm::rmsnorm ? "rmsnorm" : "layernorm", eps_key));
  }
  m.norm_eps = r.number(eps_key, 1e-5, 0.0, 1.0);
  m.rope = r.flag("rope");
  if (!m.rope && r.has("rope_theta")) {
    r.fail(root["rope_theta"], "rope_theta", "given with rope: false");
  }
  m.rope_theta = r.number("rope_theta", 10000.0, 1.0, 1e12);
  m.bias = r.has("bias") && r.flag("bias");
  if (m.rope && m.head_dim() % 2 != 0) {
    r.fail(root["rope"], "rope",
           fmt::format("rotary embedding needs an even head dimension; hidden_size {} / {} "
                       "heads = {}",
                       m.hidden_size, m.num_attention_heads, m.head_dim()));
  }
  read_experts(r, root, m);
  const std::string dtype = r.choice("dtype", {"f16", "bf16", "f32"});
  m.dtype = *parse_dtype(dtype);
  m.kv_dtype = m.dtype;
  if (r.has("kv_dtype")) {
    const YAML::Node n = root["kv_dtype"];
    const std::string problem = set_kv_dtype(m, n.IsScalar() ? n.Scalar() : "");
    if (!problem.empty()) r.fail(n, "kv_dtype", problem);
  }
  const std::int64_t group =
      r.has("quant_group_size") ? r.integer("quant_group_size", 1 << 20) : m.quant_group_size;
  if (r.has("quant_group_size") && !r.has("weight_dtype")) {
    r.fail(root["quant_group_size"], "quant_group_size", "given without weight_dtype: int8 | int4");
  }
  if (r.has("weight_dtype")) {
    const YAML::Node n = root["weight_dtype"];
    const std::string problem = set_weight_dtype(m, n.IsScalar() ? n.Scalar() : "", group);
    if (!problem.empty()) r.fail(n, "weight_dtype", problem);
  }
  return m;
}

std::vector<std::string> model_presets() {
  std::vector<std::string> names;
  for (const auto& [name, text] : model_preset_texts()) names.push_back(name);
  return names;
}

ModelConfig load_model(const std::string& name_or_path) {
  const auto& presets = model_preset_texts();
  if (const auto it = presets.find(name_or_path); it != presets.end()) {
    return parse_model(it->second, "<embedded configs/models/" + it->first + ".yaml>", it->first);
  }
  // A bare name is a preset, else a file of that name in the working directory.
  if (name_or_path.find('/') == std::string::npos && name_or_path.find('.') == std::string::npos &&
      !std::filesystem::exists(name_or_path)) {
    throw ConfigError({name_or_path, 0, 0}, "model",
                      fmt::format("no preset '{}' and no such file; presets: {}", name_or_path,
                                  fmt::join(model_presets(), ", ")));
  }
  return parse_model(platform::read_config_file(name_or_path, "model file"), name_or_path,
                     name_or_path);
}

}  // namespace kb::runtime

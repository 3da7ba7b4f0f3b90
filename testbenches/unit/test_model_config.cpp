#define BOOST_TEST_MODULE model_config
// Model files: the presets as published, and every mistake reported at its file, line and
// key.
#include "platform/topology/config_error.h"
#include "runtime/workload/model_config.h"

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <fstream>

using namespace kb::runtime;

namespace {

const std::string kLlamaLike =
    "hidden_size: 256\n"
    "num_attention_heads: 8\n"
    "num_key_value_heads: 2\n"
    "intermediate_size: 512\n"
    "num_hidden_layers: 3\n"
    "vocab_size: 1000\n"
    "hidden_act: silu\n"
    "norm: rmsnorm\n"
    "rope: true\n"
    "dtype: bf16\n";

// The message of parsing `yaml`, or "" when it parses.
std::string error_of(const std::string& yaml) {
  try {
    parse_model(yaml, "m.yaml", "m");
  } catch (const kb::platform::ConfigError& e) {
    return e.what();
  }
  return "";
}

// kLlamaLike with the line starting `key:` replaced by `line` (removed when empty).
std::string with(const std::string& key, const std::string& line) {
  std::string text = kLlamaLike;
  const auto at = text.find(key + ":");
  const auto end = text.find('\n', at) + 1;
  return text.replace(at, end - at, line.empty() ? "" : line + "\n");
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(presets_hold_the_published_configurations) {
  BOOST_TEST((model_presets() == std::vector<std::string>{"deepseek-moe-16b", "gpt2", "gpt3-175b",
                                                          "llama2-7b", "llama3-70b", "mixtral-8x7b",
                                                          "tiny", "tiny-moe"}));
  const ModelConfig llama = load_model("llama2-7b");
  BOOST_TEST(llama.hidden_size == 4096);
  BOOST_TEST(llama.head_dim() == 128);
  BOOST_TEST(llama.gated());
  BOOST_TEST(llama.layer_parameters() == 4 * 4096 * 4096 + 3 * 4096 * 11008);
  const ModelConfig big = load_model("llama3-70b");
  BOOST_TEST(big.num_key_value_heads == 8);
  BOOST_TEST(big.rope_theta == 500000.0);
  BOOST_TEST((big.dtype == DType::bf16));
  const ModelConfig gpt2 = load_model("gpt2");
  BOOST_TEST(!gpt2.rope);
  BOOST_TEST((gpt2.norm == Norm::layernorm));
  BOOST_TEST((gpt2.hidden_act == Activation::gelu));
  // 124M: 12 layers of 7.09M, plus embeddings (50257 x 768) and positions (1024 x 768).
  // Its projections have biases (c_attn 3 x 768, c_proj 768, c_fc 3072, the MLP's c_proj
  // 768); llama's have none.
  BOOST_TEST(gpt2.bias);
  BOOST_TEST(!llama.bias);
  BOOST_TEST(gpt2.layer_parameters() == 4 * 768 * 768 + 2 * 768 * 3072 + 4 * 768 + 3072 + 768);
  const ModelConfig gpt3 = load_model("gpt3-175b");
  BOOST_TEST(gpt3.num_hidden_layers * gpt3.layer_parameters() / 1'000'000'000 == 173);
}

BOOST_AUTO_TEST_CASE(a_file_loads_and_defaults_follow_hugging_face) {
  const std::string path = "model_config_test.yaml";
  std::ofstream(path) << kLlamaLike;
  const ModelConfig m = load_model(path);
  std::remove(path.c_str());
  BOOST_TEST(m.name == path);
  BOOST_TEST(m.num_key_value_heads == 2);
  BOOST_TEST(m.rope_theta == 10000.0);
  BOOST_TEST(m.norm_eps == 1e-5);
  // A bare name that is no preset is a file of that name in the working directory.
  std::ofstream("mymodel") << kLlamaLike;
  const ModelConfig bare = load_model("mymodel");
  std::remove("mymodel");
  BOOST_TEST(bare.name == "mymodel");
  BOOST_TEST(bare.num_key_value_heads == 2);
  // num_key_value_heads defaults to the attention heads, as in Hugging Face.
  BOOST_TEST(parse_model(with("num_key_value_heads", ""), "m.yaml", "m").num_key_value_heads == 8);
}

BOOST_AUTO_TEST_CASE(mistakes_name_the_file_line_and_key) {
  BOOST_TEST(contains(error_of(with("hidden_act", "hidden_act: relu")),
                      "m.yaml:7:13: error: hidden_act: expected gelu | silu, got 'relu'"));
  BOOST_TEST(contains(error_of(kLlamaLike + "num_layers: 4\n"),
                      "m.yaml:11:1: error: num_layers: unknown key"));
  BOOST_TEST(contains(error_of(kLlamaLike + "vocab_sise: 4\n"), "did you mean 'vocab_size'?"));
  BOOST_TEST(contains(error_of(with("intermediate_size", "")),
                      "intermediate_size: missing: every model names it"));
  BOOST_TEST(contains(error_of(with("num_key_value_heads", "num_key_value_heads: 3")),
                      "m.yaml:3:22: error: num_key_value_heads: 3 key/value heads do not divide "
                      "the 8 attention heads"));
  BOOST_TEST(contains(error_of(with("num_attention_heads", "num_attention_heads: 7")),
                      "7 heads do not divide hidden_size 256"));
  BOOST_TEST(contains(error_of(with("hidden_size", "hidden_size: 24") + "num_key_value_heads: 8"),
                      "given twice"));
  BOOST_TEST(contains(error_of(with("num_attention_heads", "num_attention_heads: 256")),
                      "rope: rotary embedding needs an even head dimension"));
  BOOST_TEST(contains(error_of(kLlamaLike + "layer_norm_epsilon: 1e-6\n"),
                      "layer_norm_epsilon: belongs to the other norm; norm rmsnorm takes "
                      "rms_norm_eps"));
  BOOST_TEST(contains(error_of(kLlamaLike + "rms_norm_eps: 2\n"),
                      "rms_norm_eps: expected a number above 0 and below 1, got 2"));
  BOOST_TEST(contains(error_of(with("rope", "rope: false") + "rope_theta: 5\n"),
                      "rope_theta: given with rope: false"));
  BOOST_TEST(contains(error_of(with("dtype", "dtype: i8")), "dtype: expected f16 | bf16 | f32"));
  BOOST_TEST(contains(error_of(kLlamaLike + "bias: maybe\n"),
                      "bias: expected true or false, got 'maybe'"));
  BOOST_TEST(contains(error_of(with("num_hidden_layers", "num_hidden_layers: 0")),
                      "num_hidden_layers: expected an integer from 1 to 4096, got '0'"));
  BOOST_TEST(contains(error_of("- 1\n"), "expected a mapping"));
  try {
    load_model("llama9");
    BOOST_FAIL("an unknown preset loaded");
  } catch (const kb::platform::ConfigError& e) {
    BOOST_TEST(contains(e.what(),
                        "no preset 'llama9' and no such file; presets: deepseek-moe-16b, gpt2, "));
  }
  try {
    load_model("missing/model.yaml");
    BOOST_FAIL("a missing file loaded");
  } catch (const kb::platform::ConfigError& e) {
    BOOST_TEST(contains(e.what(), "missing/model.yaml"));
  }
}

// Quantised weights and KV cache: what they store, per layer and per cached token, and
// every mistake at its line.
BOOST_AUTO_TEST_CASE(quantised_weights_and_cache_are_model_keys_with_their_stored_sizes) {
  const ModelConfig plain = parse_model(kLlamaLike, "m.yaml", "m");
  BOOST_TEST(plain.weight_dtype() == "bf16");
  BOOST_TEST(plain.layer_weight_bytes() == 2.0 * static_cast<double>(plain.layer_parameters()));
  BOOST_TEST(plain.kv_row_bytes() == 2.0 * 32);
  const ModelConfig q = parse_model(kLlamaLike +
                                        "weight_dtype: int4\nquant_group_size: 64\n"
                                        "kv_dtype: int8\n",
                                    "m.yaml", "m");
  BOOST_TEST(q.weight_bits == 4);
  BOOST_TEST(q.quant_group_size == 64);
  BOOST_TEST(q.weight_dtype() == "int4");
  // Half a byte a weight, and a bf16 scale per 64 input rows of each column.
  double stored = 0;
  for (const auto& [in, out] : q.projections()) {
    stored += static_cast<double>(in * out) / 2 + static_cast<double>(in / 64 * out) * 2;
  }
  BOOST_TEST(q.layer_weight_bytes() == stored);
  BOOST_TEST(q.kv_int8());
  BOOST_TEST(q.kv_row_bytes() == 32.0 + 2.0);  // head_dim codes and a bf16 scale
  ModelConfig m = plain;
  BOOST_TEST(set_weight_dtype(m, "int8", 128).empty());
  BOOST_TEST(m.weight_bits == 8);
  BOOST_TEST(contains(set_weight_dtype(m, "int4", 3), "groups of 3 input rows must divide"));
  BOOST_TEST(contains(set_weight_dtype(m, "f16", 128), "expected bf16 (the model's dtype)"));
  BOOST_TEST(set_weight_dtype(m, "bf16", 128).empty());
  BOOST_TEST(m.weight_bits == 0);

  BOOST_TEST(contains(error_of(kLlamaLike + "weight_dtype: int2\n"),
                      "m.yaml:11:15: error: weight_dtype: expected bf16 (the model's dtype), int8 "
                      "or int4, got 'int2'"));
  BOOST_TEST(contains(error_of(kLlamaLike + "weight_dtype: int4\nquant_group_size: 100\n"),
                      "weight_dtype: groups of 100 input rows must divide hidden_size 256"));
  BOOST_TEST(contains(error_of(kLlamaLike + "quant_group_size: 64\n"),
                      "quant_group_size: given without weight_dtype"));
  BOOST_TEST(contains(error_of(kLlamaLike + "kv_dtype: int4\n"),
                      "m.yaml:11:11: error: kv_dtype: expected bf16 (the model's dtype) or int8"));
}

// The mixtures' published sizes: Mixtral 8x7B 46.7B parameters, DeepSeekMoE 16B 16.4B (its
// first layer dense), from their layers' projections and the embedding and LM head.
BOOST_AUTO_TEST_CASE(mixtures_hold_their_published_parameter_counts) {
  auto total = [](const ModelConfig& m) {
    double n = 2.0 * static_cast<double>(m.vocab_size * m.hidden_size);
    for (std::int64_t l = 0; l < m.num_hidden_layers; ++l)
      n += static_cast<double>(m.layer_parameters(l));
    return n / 1e9;
  };
  const ModelConfig mixtral = load_model("mixtral-8x7b");
  BOOST_TEST(mixtral.moe());
  BOOST_TEST(mixtral.moe_layer(0));
  BOOST_TEST(mixtral.moe_intermediate_size == 14336);  // intermediate_size when not given
  BOOST_TEST(total(mixtral) == 46.7, boost::test_tools::tolerance(0.005));
  const ModelConfig deepseek = load_model("deepseek-moe-16b");
  BOOST_TEST(!deepseek.moe_layer(0));
  BOOST_TEST(deepseek.moe_layer(1));
  BOOST_TEST(!deepseek.norm_topk_prob);
  BOOST_TEST(deepseek.layer_parameters(1) ==
             4 * 2048 * 2048 + 2048 * 64 + 64 * 3 * 2048 * 1408 + 3 * 2048 * 2 * 1408);
  BOOST_TEST(total(deepseek) == 16.4, boost::test_tools::tolerance(0.005));
  BOOST_TEST(deepseek.layer_weight_bytes(1) ==
             2.0 * static_cast<double>(deepseek.layer_parameters(1)));
}

BOOST_AUTO_TEST_CASE(mixture_mistakes_name_their_key) {
  const std::string moe = kLlamaLike + "num_local_experts: 4\nnum_experts_per_tok: 2\n";
  BOOST_TEST(error_of(moe).empty());
  for (const auto& [yaml, message] : std::vector<std::pair<std::string, std::string>>{
           {moe + "n_routed_experts: 4\n", "n_routed_experts: given with num_local_experts"},
           {kLlamaLike + "num_local_experts: 4\nnum_experts_per_tok: 5\n",
            "num_experts_per_tok: expected an integer from 1 to 4, got '5'"},
           {kLlamaLike + "num_local_experts: 4\n", "num_experts_per_tok: missing"},
           {kLlamaLike + "n_shared_experts: 1\n",
            "n_shared_experts: given without num_local_experts"},
           {moe + "first_k_dense_replace: 4\n",
            "first_k_dense_replace: expected an integer from 0 to 3"},
           {moe + "norm_topk_prob: maybe\n", "norm_topk_prob: expected true or false"}}) {
    BOOST_TEST(contains(error_of(yaml), message), yaml);
  }
}

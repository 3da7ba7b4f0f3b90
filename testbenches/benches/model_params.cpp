#include "testbenches/benches/model_params.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace kb::bench {

std::vector<Param> model_params(const std::string& model_description) {
  return {{"model", "tiny", model_description},
          {"weight_dtype", "",
           "the projections' weights: the model's dtype (empty: the model file's weight_dtype, "
           "else its dtype), int8 or int4 (codes with a scale per group of input rows)",
           "", Param::Kind::text},
          {"quant_group", "0",
           "int8 / int4: input rows per scale (0: the model file's quant_group_size, else 128)"},
          {"kv_dtype", "",
           "the KV cache: the model's dtype (empty: the model file's kv_dtype, else its dtype) "
           "or int8 (a scale per token and kv head)",
           "", Param::Kind::text}};
}

runtime::ModelConfig load_bench_model(const Params& params) {
  if (params.text("model").empty()) {
    throw BenchUsageError(fmt::format("--param model=: expected a preset ({}) or a model file",
                                      fmt::join(runtime::model_presets(), ", ")));
  }
  runtime::ModelConfig model = runtime::load_model(params.text("model"));
  const std::string weights = params.text("weight_dtype");
  const std::int64_t group = params.count("quant_group");
  if (weights.empty() && group != 0) {
    throw BenchUsageError("--param quant_group: given without --param weight_dtype=int8|int4");
  }
  if (!weights.empty()) {
    const std::string problem =
        runtime::set_weight_dtype(model, weights, group == 0 ? model.quant_group_size : group);
    if (!problem.empty()) {
      throw BenchUsageError(
          fmt::format("--param weight_dtype={} (model {}): {}", weights, model.name, problem));
    }
  }
  const std::string kv = params.text("kv_dtype");
  if (!kv.empty()) {
    const std::string problem = runtime::set_kv_dtype(model, kv);
    if (!problem.empty()) {
      throw BenchUsageError(
          fmt::format("--param kv_dtype={} (model {}): {}", kv, model.name, problem));
    }
  }
  return model;
}

}  // namespace kb::bench

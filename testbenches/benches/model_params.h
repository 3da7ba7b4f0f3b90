#pragma once
// The model parameters the llm and serve benches share: which model, and what its weights
// are stored as (docs/workloads.md, "Quantised weights").

#include "testbenches/benches/bench.h"

#include "runtime/workload/model_config.h"

namespace kb::bench {

// `model` (described as `model_description`), `weight_dtype`, `quant_group` and `kv_dtype`.
std::vector<Param> model_params(const std::string& model_description);
// The model they name, its weights stored as they say; BenchUsageError when they cannot be.
runtime::ModelConfig load_bench_model(const Params& params);

}  // namespace kb::bench

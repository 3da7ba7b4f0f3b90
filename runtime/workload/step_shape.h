#pragma once
// One inference step of a transformer (docs/workloads.md): prefill runs `seq` tokens of
// each of `batch` sequences from position `past` (0, or a later chunk of a prompt whose
// first `past` tokens are cached); decode runs one new token per sequence at
// position `seq`, against a KV cache holding the `seq` tokens before it. `tp` SIPs split
// the heads and the MLP columns (Megatron-style); `ep` expert-parallel groups of those
// each run their own share of the batch and hold a share of a mixture's experts; `pp`
// pipeline stages of ep x tp SIPs each split the layers, and the batch goes through them in
// `microbatches` parts.

#include "runtime/requests/launch_mode.h"
#include "runtime/workload/model_config.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace kb::runtime {

enum class Phase { prefill, decode };
const char* to_string(Phase phase);

// How attention runs: fused (one kernel per layer, an online softmax over key tiles: memory
// grows with the tokens) or materialized (Q K^T, softmax and P V as three kernels over
// stored scores and probabilities: batch x heads x seq_q x keys each).
enum class AttentionMode { fused, materialized };
const char* to_string(AttentionMode mode);

// Which of a layer's nodes run as one (docs/workloads.md, fusion modes): none; the Q, K and V
// projections in one launch (qkv); gate and up in one (mlp); or both, with the norms folded
// into the projections after them (RMSNorm) and the residual adds into the output and down
// projections' epilogues (all).
enum class Fusion { none, qkv, mlp, all };
const char* to_string(Fusion fusion);
std::optional<Fusion> parse_fusion(std::string_view name);

// How the projections are placed (runtime/workload/projection_mapper.h): as the mapper
// chooses (automatic), or every one split by columns or by the grid (the inputs' homes
// still chosen), to compare a choice with the alternatives.
enum class MappingMode { automatic, columns, grid };
const char* to_string(MappingMode mode);
std::optional<MappingMode> parse_mapping(std::string_view name);

// The KV cache holds positions in blocks of this many tokens (as paged caches do), so that
// its rows spread evenly over the PEs.
constexpr std::int64_t kKvBlockTokens = 64;

struct StepShape {
  Phase phase = Phase::decode;
  std::int64_t batch = 1;
  std::int64_t seq = 1;
  std::int64_t past = 0;  // prefill: tokens of each sequence already in the KV cache
  std::int64_t tp = 1;
  std::int64_t pp = 1;            // pipeline stages, each of tp SIPs
  std::int64_t microbatches = 1;  // parts of the batch that go through the stages in turn
  std::int64_t ep = 1;            // expert-parallel ranks per stage (data-parallel attention)
  // Which experts each token goes to (runtime/workload/expert_routing.h): drawn from a
  // seeded distribution, uniform at skew 0, expert 0 chosen by every token at skew 1.
  double routing_skew = 0;
  std::uint32_t routing_seed = 1;
  std::int64_t layers = 1;  // decoder layers run (1 .. num_hidden_layers)
  AttentionMode attention = AttentionMode::fused;
  LaunchMode launch = LaunchMode::host;  // who issues the step's kernel launches
  Fusion fusion = Fusion::none;
  MappingMode mapping = MappingMode::automatic;

  bool fuses_qkv() const { return fusion == Fusion::qkv || fusion == Fusion::all; }
  bool fuses_mlp() const { return fusion == Fusion::mlp || fusion == Fusion::all; }

  std::int64_t seq_q() const { return phase == Phase::prefill ? seq : 1; }
  std::int64_t position0() const { return phase == Phase::prefill ? past : seq; }
  std::int64_t tokens() const { return batch * seq_q(); }
  std::int64_t keys() const { return position0() + seq_q(); }
  std::int64_t capacity() const {
    return (keys() + kKvBlockTokens - 1) / kKvBlockTokens * kKvBlockTokens;
  }
  std::int64_t width() const { return tp * ep; }  // SIPs per stage
  std::int64_t sips() const { return width() * pp; }
  // What one SIP runs at a time: one microbatch of its expert-parallel rank's sequences,
  // batch / (ep x microbatches) of them.
  StepShape microbatch() const {
    StepShape m = *this;
    m.batch = batch / (microbatches * ep);
    m.microbatches = 1;
    m.ep = 1;
    return m;
  }
  // The layers of stage `stage`: [first, first + count), as even as they divide (the first
  // layers % pp stages take one more).
  std::pair<std::int64_t, std::int64_t> stage_layers(std::int64_t stage) const {
    const std::int64_t base = layers / pp, extra = layers % pp;
    return {stage * base + std::min(stage, extra), base + (stage < extra ? 1 : 0)};
  }
};

// fusion=all folds an RMSNorm into the projections after it (a LayerNorm's centring would
// need the weights' column sums: it stays a node), and every residual add into the output
// and down projections' epilogues.
bool folds_norm(const ModelConfig& model, const StepShape& shape);
bool folds_residual(const StepShape& shape);

// What one SIP holds of a layer under tensor parallelism.
struct LayerDims {
  std::int64_t hidden, head_dim, heads, kv_heads, intermediate;  // heads etc. per SIP
  std::int64_t expert_intermediate, shared_intermediate;         // an expert's, the shared experts'
  LayerDims(const ModelConfig& m, const StepShape& s)
      : hidden(m.hidden_size),
        head_dim(m.head_dim()),
        heads(m.num_attention_heads / s.tp),
        kv_heads(m.num_key_value_heads / s.tp),
        intermediate(m.intermediate_size / s.tp),
        expert_intermediate(m.moe_intermediate_size / s.tp),
        shared_intermediate(m.n_shared_experts * m.moe_intermediate_size / s.tp) {}
};

// Why `shape` cannot run `model` with `sips` SIPs (tp must divide the heads, the kv heads
// and the MLP width, and fit the SIPs), or "" when it can.
std::string step_shape_problem(const ModelConfig& model, const StepShape& shape, std::int64_t sips);

// Useful work of the step over all SIPs: matmul and attention FLOPs and the LM head's; bytes
// of weights (the LM head's, the embedding rows looked up) and of KV cache it must read.
struct StepWork {
  double flops = 0;
  double weight_bytes = 0;
  double kv_bytes = 0;
};
StepWork step_work(const ModelConfig& model, const StepShape& shape);

}  // namespace kb::runtime

#include "runtime/workload/transformer_step.h"
#include "runtime/workload/transformer_step_parts.h"

#include "runtime/bound/peaks.h"
#include "runtime/bound/product_traffic.h"
#include "runtime/bound/tensor_traffic.h"
#include "runtime/ccl/algorithm.h"
#include "runtime/ccl/ccl_config.h"
#include "runtime/ccl/collective_fabric.h"
#include "runtime/kernel/quantisation.h"
#include "runtime/kernels/gemm.h"
#include "runtime/kernels/reference.h"

#include <fmt/format.h>

#include <cmath>
#include <numeric>
#include <random>
#include <set>

namespace kb::runtime {

namespace {

constexpr Split R = Split::replicate, Rows = Split::row_wise, Cols = Split::column_wise;

// Values in [-scale, scale] rounded to `dtype`.
Tile random_tile(std::int64_t rows, std::int64_t cols, DType dtype, double scale,
                 std::mt19937& rng) {
  Tile t(rows, cols, dtype, true);
  std::uniform_real_distribution<double> u(-scale, scale);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) t.set(r, c, u(rng));
  return t;
}

// Attention's work on the PEs owning rows of `scores`: the keys each row's query sees
// (causal), and the cache rows its (batch, head) reads, from the shards holding them.
struct AttentionWork {
  const StepShape& shape;
  const LayerDims& dims;
  // fn(pe shard, keys seen by the row) for every row of every shard of `rows_of`.
  template <class Fn>
  void rows(const Tensor& rows_of, Fn&& fn) const {
    for (const DeviceShard& s : rows_of.shards()) {
      for (std::uint64_t r = s.row_begin; r < s.row_begin + s.rows; ++r) {
        fn(s, r, shape.position0() + static_cast<std::int64_t>(r) % shape.seq_q() + 1);
      }
    }
  }
  // Each scores-row owner reads the cache rows of its (batch, head) runs once.
  void cache_reads(Traffic& traffic, const Tensor& scores, const Tensor& cache) const {
    const std::uint64_t item = itemsize(cache.dtype());
    for (const DeviceShard& s : scores.shards()) {
      std::int64_t last_bh = -1;
      for (std::uint64_t r = s.row_begin; r < s.row_begin + s.rows; ++r) {
        const auto bh = static_cast<std::int64_t>(r) / shape.seq_q();
        if (bh == last_bh) continue;
        last_bh = bh;
        const std::int64_t b = bh / dims.heads, h = bh % dims.heads;
        const std::int64_t group = dims.heads / dims.kv_heads;
        const auto base =
            static_cast<std::uint64_t>((b * dims.kv_heads + h / group) * shape.capacity());
        const std::uint64_t end = base + static_cast<std::uint64_t>(shape.keys());
        for (const DeviceShard& c : cache.shards()) {
          const std::uint64_t lo = std::max(base, c.row_begin);
          const std::uint64_t hi = std::min(end, c.row_begin + c.rows);
          if (hi <= lo) continue;
          traffic.access({s.sip, s.cube, s.pe}, memory_of(c),
                         static_cast<double>((hi - lo) * c.cols * item), Direction::read);
        }
      }
    }
  }
};

}  // namespace

TransformerStep::~TransformerStep() = default;

TransformerStep::Sip& TransformerStep::unit(std::int64_t device, std::int64_t microbatch) const {
  return *units_.at(static_cast<std::size_t>(device * shape_.microbatches + microbatch));
}

const Tensor& TransformerStep::hidden(const Sip& sip) const {
  // With the residuals in the projections' epilogues, the hidden state ends in the sums.
  return sip[folds_residual(shape_) ? "partial" : "x"];
}

const StepData& TransformerStep::data(std::size_t microbatch, std::size_t ep_rank) const {
  return data_.at(static_cast<std::size_t>(
      replica(static_cast<std::int64_t>(ep_rank), static_cast<std::int64_t>(microbatch))));
}

const Tensor& TransformerStep::output(std::size_t rank, std::size_t microbatch) const {
  return hidden(unit((shape_.pp - 1) * shape_.width() + static_cast<std::int64_t>(rank),
                     static_cast<std::int64_t>(microbatch)));
}

const Tensor& TransformerStep::logits(std::size_t microbatch, std::size_t ep_rank) const {
  return head_unit(microbatch, ep_rank)["logits"];
}

const Tensor& TransformerStep::next_tokens(std::size_t microbatch, std::size_t ep_rank) const {
  return head_unit(microbatch, ep_rank)["next"];
}

TransformerStep::Sip& TransformerStep::head_unit(std::size_t microbatch,
                                                 std::size_t ep_rank) const {
  return unit((shape_.pp - 1) * shape_.width() + static_cast<std::int64_t>(ep_rank) * shape_.tp,
              static_cast<std::int64_t>(microbatch));
}

StepData& TransformerStep::data_of(const Sip& sip) {
  return data_.at(static_cast<std::size_t>(replica(sip.ep_rank, sip.microbatch)));
}

StagePart stage_part(const StepShape& shape, std::int64_t device) {
  const std::int64_t stage = device / shape.width(), rank = device % shape.tp;
  const auto [first, count] = shape.stage_layers(stage);
  return {first, count, stage == 0, stage == shape.pp - 1 && rank == 0};
}

TransformerStep::TransformerStep(const ModelConfig& model, const StepShape& shape,
                                 const std::vector<RuntimeContext*>& devices,
                                 RuntimeContext& installer, bool with_data,
                                 const ProjectionMap* map)
    : model_(model),
      shape_(shape),
      micro_(shape.microbatch()),
      dims_(model, shape),
      map_(map != nullptr ? *map : map_projections(model, micro_, installer.topology())),
      routing_(route_experts(model, shape)),
      buffers_(runtime::expert_buffers(routing_, devices.front()->machine())),
      ccl_(default_ccl_config().resolve()) {
  if (devices.size() != static_cast<std::size_t>(shape.sips())) {
    throw std::invalid_argument(
        fmt::format("a step at tp={} x ep={} x pp={} needs {} devices, got {}", shape.tp, shape.ep,
                    shape.pp, shape.sips(), devices.size()));
  }
  // The tokens, functional or not: the embedding lookup reads their rows either way. Each
  // expert-parallel rank's microbatches have their own.
  data_.resize(static_cast<std::size_t>(shape.ep * shape.microbatches));
  std::mt19937 rng(2024);
  std::uniform_int_distribution<std::int64_t> token(0, model.vocab_size - 1);
  for (StepData& d : data_) {
    if (with_data) d.layers.resize(static_cast<std::size_t>(shape.layers));
    for (std::int64_t i = 0; i < micro_.tokens(); ++i) d.ids.push_back(token(rng));
  }
  for (std::size_t r = 0; with_data && r < data_.size(); ++r) {
    for (std::int64_t l = 0; l < static_cast<std::int64_t>(routing_.choices.size()); ++l) {
      if (model.moe_layer(l))
        data_[r].routing.push_back(routing_.of(l, static_cast<std::int64_t>(r)));
      else
        data_[r].routing.emplace_back();
    }
  }
  for (std::size_t d = 0; d < devices.size(); ++d) place(d, *devices[d], with_data);
  if (with_data) {
    for (StepData& d : data_) {
      const Tile& embed = d.model.at("embed");
      d.input = Tile(micro_.tokens(), model.hidden_size, model.dtype, true);
      for (std::int64_t r = 0; r < micro_.tokens(); ++r)
        for (std::int64_t c = 0; c < model.hidden_size; ++c)
          d.input.set(r, c, embed.at(d.ids[static_cast<std::size_t>(r)], c));
    }
  }
  std::vector<std::vector<PeCoord>> groups;
  if (shape.pp > 1 || shape.ep > 1) {
    // One group per PE: that PE of every SIP of every stage, in device order, so that each
    // stage sends its blocks of the hidden state to the same PEs of the next, a stage's
    // tensor-parallel SIPs all-reduce among themselves and its expert-parallel ranks
    // exchange tokens (subgroups: every pair of the group's ranks has queues then).
    const MachineShape& m = devices.front()->machine();
    for (std::int64_t cube = 0; cube < m.cubes_per_sip; ++cube) {
      for (std::int64_t pe = 0; pe < m.pes_per_cube; ++pe) {
        std::vector<PeCoord> group;
        for (RuntimeContext* d : devices) {
          group.push_back({static_cast<std::uint32_t>(d->machine().first_sip),
                           static_cast<std::uint32_t>(cube), static_cast<std::uint32_t>(pe)});
        }
        groups.push_back(std::move(group));
      }
    }
  } else if (shape.tp > 1) {
    // One group per PE holding a block of the partial sums: that PE on every SIP.
    for (const DeviceShard& b : unit(0, 0)["partial"].shards()) {
      std::vector<PeCoord> group;
      for (std::int64_t d = 0; d < shape.tp; ++d) {
        group.push_back({unit(d, 0)["partial"].shards().front().sip, b.cube, b.pe});
      }
      groups.push_back(std::move(group));
    }
  }
  if (!groups.empty()) {
    const bool subgroups = shape.ep > 1 || (shape.tp > 1 && shape.pp > 1);
    groups_ = std::make_shared<const ProcessGroups>(
        installer.install_process_groups(subgroups ? "pairwise" : "", "", groups));
  }
  // Microbatch by microbatch through the stages, in graph order: with one stage and one
  // microbatch, every SIP's input and embedding, then the layers SIP by SIP, then the head.
  const std::int64_t width = shape.width();
  for (std::int64_t j = 0; j < shape.microbatches; ++j) {
    for (std::int64_t d = 0; d < width; ++d) {
      lower_input(unit(d, j), with_data);
      lower_embedding(unit(d, j));
    }
    for (std::int64_t stage = 0; stage < shape.pp; ++stage) {
      const auto [first, count] = shape.stage_layers(stage);
      const std::int64_t from = stage * width, to = from + width;
      for (std::int64_t d = from; stage > 0 && d < to; ++d) lower_recv(unit(d, j));
      for (std::int64_t l = first; l < first + count; ++l)
        for (std::int64_t d = from; d < to; ++d) lower_layer(l, unit(d, j));
      for (std::int64_t d = from; stage + 1 < shape.pp && d < to; ++d) lower_send(unit(d, j));
    }
    for (std::int64_t e = 0; e < shape.ep; ++e)
      lower_head(head_unit(static_cast<std::size_t>(j), static_cast<std::size_t>(e)));
  }
}

void TransformerStep::add_node(WorkloadNode node, Place place) {
  graph_.add(std::move(node));
  places_.push_back(place);
}

void TransformerStep::lower_input(Sip& sip, bool with_data) {
  // The host sends the tokens' ids.
  const StepData& data = data_of(sip);
  const std::int64_t tokens = micro_.tokens();
  Tile ids(tokens, 1, DType::i32, with_data);
  for (std::int64_t r = 0; with_data && r < tokens; ++r)
    ids.set(r, 0, static_cast<double>(data.ids[static_cast<std::size_t>(r)]));
  WorkloadNode input =
      node(0, sip, "input", OpClass::copy, {},
           HostCopyOp{sip["ids"], with_data ? from_tile(ids, {tokens, 1})
                                            : HostTensor::shape_only({tokens, 1}, DType::i32)});
  input.name = sip.label + ".input";
  input.layer = "input";
  const auto& host = sip.ctx->topology().system.host_link;
  input.bound.add("host_link", static_cast<double>(tokens * 4) / host.bw_gbps + host.latency_ns);
  add_node(std::move(input), {});
}

std::string bias_of(const std::string& weight) {
  const std::size_t name = weight.rfind('.') + 1;  // after an expert's prefix ("e3.w_up")
  return weight.substr(0, name) + "b" + weight.substr(name + 1);
}
std::string scales_of(const std::string& weight) { return weight + "_scales"; }

std::int64_t head_columns(const ModelConfig& model, const MachineShape& m) {
  const std::int64_t pes = m.cubes_per_sip * m.pes_per_cube;
  return (model.vocab_size + pes - 1) / pes * pes;
}

std::vector<StepTensor> step_tensors(const ModelConfig& model, const StepShape& whole,
                                     const MachineShape& m, const ProjectionMap& map,
                                     const StagePart& stage, const ExpertRouting& routing) {
  const StepShape shape = whole.microbatch();
  const LayerDims dims(model, shape);
  const DType dt = model.dtype;
  const std::int64_t T = shape.tokens(), H = dims.hidden, d = dims.head_dim;
  const std::int64_t q_cols = dims.heads * d, kv_cols = dims.kv_heads * d;
  const std::int64_t I = dims.intermediate;
  std::vector<StepTensor> all;
  using K = StepTensor::Kind;
  auto place = [&](const std::string& name, std::int64_t rows, std::int64_t cols, DType dtype,
                   const DPPolicy& dp, K kind, StepTensor::Part of = StepTensor::Part::whole) {
    all.push_back({name, {rows, cols}, dtype, dp, kind, of});
  };
  // Rows or columns spread over the SIP's cubes and PEs as far as they divide.
  auto add = [&](const std::string& name, std::int64_t rows, std::int64_t cols, DType dtype,
                 Split split, K kind) {
    place(name, rows, cols, dtype, spread_over_sip(split, split == Rows ? rows : cols, m), kind);
  };
  // The projections' outputs, weights and inputs as the mapper chose them.
  auto projection = [&](const std::string& name, std::int64_t n, ProjectionSplit split) {
    place(name, T, n, dt, projection_output_policy(split, T, n, m), K::activation);
  };
  auto input = [&](const std::string& name, std::int64_t k, InputHome home) {
    place(name, T, k, dt, projection_input_policy(home, T, m), K::activation);
  };
  if (stage.embed) {
    add("ids", T, 1, DType::i32, Rows, K::activation);
    add("embed", model.vocab_size, H, dt, Rows, K::weight);
  }
  add("x", T, H, dt, Rows, K::activation);
  if (stage.head) {
    // The final norm's input: each sequence's last token (prefill picks them out).
    const std::int64_t B = shape.batch, V = head_columns(model, m);
    if (shape.phase == Phase::prefill) add("last", B, H, dt, Rows, K::activation);
    add("xf", B, H, dt, Rows, K::activation);
    add("w_head", H, V, dt, Cols, K::weight);
    add("logits", B, V, DType::f32, Cols, K::activation);
    add("next", B, 1, DType::i32, Rows, K::activation);
  }
  if (!folds_norm(model, shape)) input("xn", H, map.xn);
  projection("q", q_cols, map.qkv);
  projection("k", kv_cols, map.qkv);
  projection("v", kv_cols, map.qkv);
  if (model.rope) {
    add("q_rot", T, q_cols, dt, Rows, K::activation);
    add("k_rot", T, kv_cols, dt, Rows, K::activation);
  }
  const std::int64_t score_rows = shape.batch * dims.heads * shape.seq_q();
  if (shape.attention == AttentionMode::fused) {
    add("lse", score_rows, 1, DType::f32, Rows, K::activation);
  } else {
    add("scores", score_rows, shape.keys(), DType::f32, Rows, K::activation);
    add("probs", score_rows, shape.keys(), dt, Rows, K::activation);
  }
  input("attn", q_cols, map.attn);
  projection("partial", H, map.out);
  bool dense = false, experts = false;
  for (std::int64_t l = stage.first_layer; l < stage.first_layer + stage.layers; ++l)
    (model.moe_layer(l) ? experts : dense) = true;
  // An MLP's activations: `prefix` up (gate) act, of `rows` tokens and `columns` columns.
  auto mlp = [&](const std::string& prefix, std::int64_t rows, std::int64_t columns) {
    auto out = [&](const std::string& name) {
      place(prefix + name, rows, columns, dt,
            projection_output_policy(map.mlp_in, rows, columns, m), K::activation);
    };
    out("up");
    if (model.gated()) out("gate");
    // In HBM, placed as up: the activation works block by block.
    if (map.act == InputHome::hbm) {
      out("act");
    } else {
      place(prefix + "act", rows, columns, dt, projection_input_policy(map.act, rows, m),
            K::activation);
    }
  };
  if (dense) mlp("", T, I);
  const ExpertBuffers buffers = runtime::expert_buffers(routing, m);
  if (experts) {
    // The router's logits and gates; the shared experts' MLP; for each expert this SIP
    // holds, the rows dispatched to it (and with other ranks, the all-to-all's buffers:
    // received, to return, returned), its MLP, and its products.
    projection("router", model.num_local_experts, map.mlp_in);
    add("gates", T, model.num_experts_per_tok, DType::f32, Rows, K::activation);
    if (dims.shared_intermediate > 0) mlp("s.", T, dims.shared_intermediate);
    const std::int64_t M = buffers.rows();
    for (std::int64_t i = 0; i < routing.local(); ++i) {
      const std::string e = fmt::format("e{}.", i);
      for (const char* buffer : {"send", "recv", "back", "ret"}) {
        if (whole.ep == 1 && std::string(buffer) != "send") continue;
        place(e + buffer, M, H, dt, buffers.policy(m), K::activation);
      }
      mlp(e, M, dims.expert_intermediate);
      place(e + "down", M, H, dt, projection_output_policy(map.out, M, H, m), K::activation);
    }
  }
  // Weights are stored once; the cache spreads by rows.
  const std::int64_t cache_rows = shape.batch * dims.kv_heads * shape.capacity();
  for (std::int64_t l = stage.first_layer; l < stage.first_layer + stage.layers; ++l) {
    auto name = [&](const std::string& what) { return fmt::format("L{}.{}", l, what); };
    // A projection's weight, and its bias when the model has them: a row, its columns beside
    // the output columns it is added to. A row-parallel projection's (o, down) is each SIP's
    // part of the bias, summed by the all-reduce.
    // A quantised weight's codes and scales are placed as the weight is, by their own rows.
    auto projection_weight = [&](const std::string& what, std::int64_t k, std::int64_t n,
                                 ProjectionSplit split) {
      const int bits = model.weight_bits;
      if (bits == 0) {
        place(name(what), k, n, dt, projection_output_policy(split, k, n, m), K::weight);
      } else {
        const std::int64_t codes = code_rows(k, bits), groups = k / model.quant_group_size;
        place(name(what), codes, n, code_dtype(bits), projection_output_policy(split, codes, n, m),
              K::weight, StepTensor::Part::codes);
        place(name(scales_of(what)), groups, n, dt, projection_output_policy(split, groups, n, m),
              K::weight, StepTensor::Part::scales);
      }
      if (model.bias) add(name(bias_of(what)), 1, n, dt, Cols, K::weight);
    };
    projection_weight("wq", H, q_cols, map.qkv);
    projection_weight("wk", H, kv_cols, map.qkv);
    projection_weight("wv", H, kv_cols, map.qkv);
    projection_weight("wo", q_cols, H, map.out);
    auto mlp_weights = [&](const std::string& prefix, std::int64_t columns) {
      projection_weight(prefix + "w_up", H, columns, map.mlp_in);
      if (model.gated()) projection_weight(prefix + "w_gate", H, columns, map.mlp_in);
      projection_weight(prefix + "w_down", columns, H, map.out);
    };
    if (!model.moe_layer(l)) {
      mlp_weights("", I);
    } else {
      projection_weight("w_router", H, model.num_local_experts, map.mlp_in);
      if (dims.shared_intermediate > 0) mlp_weights("s.", dims.shared_intermediate);
      for (std::int64_t i = 0; i < routing.local(); ++i)
        mlp_weights(fmt::format("e{}.", i), dims.expert_intermediate);
    }
    for (const char* cache : {"k_cache", "v_cache"}) {
      if (model.kv_int8()) {
        // Codes, and a scale per row beside them.
        place(name(cache), cache_rows, d, DType::i8, spread_over_sip(Rows, cache_rows, m), K::cache,
              StepTensor::Part::codes);
        place(name(scales_of(cache)), cache_rows, 1, dt, spread_over_sip(Rows, cache_rows, m),
              K::cache, StepTensor::Part::scales);
      } else {
        add(name(cache), cache_rows, d, dt, Rows, K::cache);
      }
    }
  }
  // A microbatch's own: its tokens, its hidden state (in the partial sums with residuals
  // folded), its caches and its head's results.
  static const std::set<std::string> kOwn = {"ids", "x", "partial", "last", "xf", "logits", "next"};
  for (StepTensor& t : all) t.microbatched = t.kind == K::cache || kOwn.count(t.name) != 0;
  return all;
}

void TransformerStep::place(std::size_t device, RuntimeContext& ctx, bool with_data) {
  const auto d = static_cast<std::int64_t>(device);
  const std::int64_t microbatches = shape_.microbatches;
  for (std::int64_t j = 0; j < microbatches; ++j) {
    auto sip = std::make_unique<Sip>();
    sip->ctx = &ctx;
    sip->device = d;
    sip->stage = d / shape_.width();
    sip->rank = d % shape_.tp;
    sip->ep_rank = d % shape_.width() / shape_.tp;
    sip->microbatch = j;
    sip->label = microbatches == 1 ? fmt::format("s{}", d) : fmt::format("s{}.m{}", d, j);
    units_.push_back(std::move(sip));
  }
  const auto sip_id = static_cast<std::uint32_t>(ctx.machine().first_sip);
  const auto rank = static_cast<std::size_t>(d % shape_.tp);
  const std::int64_t ep_rank = d % shape_.width() / shape_.tp;
  // The generator of the weights and caches of a SIP's place in its stage (expert-parallel
  // ranks are data-parallel replicas: the same weights), that of the experts it holds, and
  // the embedding table's (every SIP's).
  Uploads uploads{std::mt19937(static_cast<std::uint32_t>(7 + d / shape_.width() * shape_.tp +
                                                          static_cast<std::int64_t>(rank))),
                  std::mt19937(static_cast<std::uint32_t>(1000 + device)),
                  std::mt19937(99),
                  {}};
  for (const StepTensor& spec :
       step_tensors(model_, shape_, ctx.machine(), map_, stage_part(shape_, d), routing_)) {
    for (std::int64_t j = 0; j < (spec.microbatched ? microbatches : 1); ++j) {
      const std::string name =
          spec.microbatched && microbatches > 1 ? fmt::format("{}.m{}", spec.name, j) : spec.name;
      Tensor t = ctx.empty(spec.shape, spec.dtype, spec.policy, name);
      // Kernels read activations and caches wherever they live, look up any row of the
      // embedding table, and read a quantised weight's scales from cubes that may hold none
      // (fewer rows than the codes'): mapped into every cube.
      if (spec.kind != StepTensor::Kind::weight || spec.name == "embed" ||
          spec.part == StepTensor::Part::scales)
        ctx.share(t, sip_id);
      const bool stored = spec.kind != StepTensor::Kind::activation;
      const Tile values = stored ? upload(spec, j, t, ctx, with_data, uploads) : Tile();
      const bool referenced = stored && with_data && spec.part != StepTensor::Part::scales;
      // The microbatches it serves: its own, or every one.
      for (std::int64_t k = 0; k < microbatches; ++k) {
        if (spec.microbatched && k != j) continue;
        unit(d, k).tensors.emplace(spec.name, t);
        if (!referenced) continue;
        // An expert's weights are every rank's reference's, by the expert's number.
        const std::optional<std::string> expert = expert_name(spec.name, ep_rank);
        for (std::int64_t e = 0; e < shape_.ep; ++e) {
          if (expert || e == ep_rank)
            remember(expert ? *expert : spec.name, rank,
                     data_[static_cast<std::size_t>(replica(e, k))], values);
        }
      }
    }
  }
}

bool TransformerStep::is_expert_tensor(const std::string& name) {
  const std::size_t dot = name.find('.');
  return dot != std::string::npos && name.compare(dot + 1, 1, "e") == 0;
}

std::optional<std::string> TransformerStep::expert_name(const std::string& name,
                                                        std::int64_t ep_rank) const {
  // "L3.e1.w_up" -> "L3.x5.w_up" for the second expert of rank 2 of 2 each.
  if (!is_expert_tensor(name)) return std::nullopt;
  const std::size_t dot = name.find('.');
  const std::size_t end = name.find('.', dot + 1);
  const std::int64_t slot = std::stoll(name.substr(dot + 2, end - dot - 2));
  return fmt::format("{}.x{}{}", name.substr(0, dot), ep_rank * routing_.local() + slot,
                     name.substr(end));
}

Tile TransformerStep::upload(const StepTensor& spec, std::int64_t microbatch, const Tensor& t,
                             RuntimeContext& ctx, bool with_data, Uploads& uploads) const {
  using Part = StepTensor::Part;
  if (!with_data) {
    ctx.copy_(t, HostTensor::shape_only(spec.shape, spec.dtype));
    return {};
  }
  if (spec.part == Part::scales) {  // made with its codes, just before
    ctx.copy_(t, from_tile(uploads.scales.at({spec.name, microbatch}), spec.shape));
    return {};
  }
  // A quantised weight's codes pack bits / 8 of its rows a row; a cache's, one.
  const int bits = model_.weight_bits;
  const std::int64_t group = model_.quant_group_size;
  const bool cache = spec.kind == StepTensor::Kind::cache, embed = spec.name == "embed";
  const std::int64_t cols = spec.shape[1];
  const std::int64_t rows =
      spec.part == Part::codes && !cache ? spec.shape[0] * 8 / bits : spec.shape[0];
  // Weights scaled by 1/sqrt(fan in) keep activations near unit size layer to layer;
  // embeddings are unit size themselves. The LM head's padding columns stay zero.
  const double scale = spec.kind == StepTensor::Kind::weight && !embed
                           ? 1.0 / std::sqrt(static_cast<double>(rows))
                           : 1.0;
  const bool expert = is_expert_tensor(spec.name);
  Tile values = random_tile(rows, cols, spec.part == Part::codes ? model_.dtype : spec.dtype, scale,
                            embed    ? uploads.embed_rng
                            : expert ? uploads.expert_rng
                                     : uploads.rng);
  if (spec.name == "w_head") {
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t c = model_.vocab_size; c < cols; ++c) values.set(r, c, 0.0);
  }
  if (spec.part != Part::codes) {
    ctx.copy_(t, from_tile(values, spec.shape));
    return values;
  }
  // The device holds the codes (and next the scales); the reference what they give back.
  QuantisedTile q =
      cache ? quantise_rows(values, model_.dtype) : quantise(values, bits, group, model_.dtype);
  ctx.copy_(t, from_tile(q.codes, spec.shape));
  Tile back = cache ? dequantise_rows(q.codes, q.scales, model_.dtype)
                    : dequantise(q.codes, q.scales, bits, group, 0, rows, model_.dtype);
  uploads.scales[{scales_of(spec.name), microbatch}] = std::move(q.scales);
  return back;
}

void TransformerStep::remember(const std::string& name, std::size_t rank, StepData& data,
                               const Tile& values) {
  const auto dot = name.find('.');
  if (dot == std::string::npos) {  // the embedding table, the LM head
    data.model.emplace(name, values);
    return;
  }
  auto& per_sip = data.layers[static_cast<std::size_t>(std::stoll(name.substr(1, dot - 1)))];
  if (per_sip.size() <= rank) per_sip.resize(rank + 1);
  per_sip[rank][name.substr(dot + 1)] = values;
}

WorkloadNode TransformerStep::node(std::int64_t layer, const Sip& sip, const std::string& op,
                                   OpClass op_class, std::vector<std::string> after,
                                   Operation operation) const {
  WorkloadNode n;
  n.name = fmt::format("L{}.{}.{}", layer, sip.label, op);
  n.op_class = op_class;
  n.layer = fmt::format("L{}", layer);
  n.device = static_cast<std::uint32_t>(sip.device);
  for (std::string& a : after) {
    n.after.push_back(a.find('.') == std::string::npos
                          ? fmt::format("L{}.{}.{}", layer, sip.label, a)
                          : std::move(a));
  }
  n.operation = std::move(operation);
  return n;
}

void TransformerStep::lower_layer(std::int64_t l, Sip& sip) {
  auto w = [&](const char* name) -> const Tensor& { return sip.layer(l, name); };
  const Tensor& q_rot = model_.rope ? sip["q_rot"] : sip["q"];
  const Tensor& k_rot = model_.rope ? sip["k_rot"] : sip["k"];
  const platform::Topology& topology = sip.ctx->topology();
  const DType dt = model_.dtype;
  const std::int64_t d = dims_.head_dim, seq_q = micro_.seq_q(), p0 = micro_.position0();
  const auto kv = static_cast<int>(dims_.kv_heads);
  // A stage's first layer waits for the hidden state (the embedding, or the previous
  // stage's), and for the microbatch before on this SIP, whose activations it reuses.
  std::vector<std::string> previous;
  if (l == shape_.stage_layers(sip.stage).first) {
    previous.push_back(sip.label + (sip.stage == 0 ? ".embed" : ".recv"));
    if (sip.microbatch > 0) previous.push_back(last_node(unit(sip.device, sip.microbatch - 1)));
  } else {
    previous.push_back(fmt::format("L{}.{}.{}", l - 1, sip.label, layer_end()));
  }
  // Where the hidden state is: in x, or once a residual has been added in a projection's
  // epilogue, in the partial sums (all-reduced when tp > 1). SIP 0 adds it to its partial
  // sums; the all-reduce hands the total to every SIP.
  const bool fold_residual = folds_residual(shape_), fold_norm = folds_norm(model_, shape_);
  const Tensor& hidden_attn = sip[fold_residual && l > 0 ? "partial" : "x"];
  const Tensor& hidden_mlp = sip[fold_residual ? "partial" : "x"];
  const Tensor* attn_addend = fold_residual && sip.rank == 0 ? &hidden_attn : nullptr;
  const Tensor* mlp_addend = fold_residual && sip.rank == 0 ? &hidden_mlp : nullptr;
  const char* norm = model_.norm == Norm::rmsnorm ? "rmsnorm" : "layernorm";
  const AttentionWork attention{micro_, dims_};

  // Adds a node whose bound `describe` fills in, once per op and activations read (every
  // layer places alike; with residuals folded, the first layer reads x where the others
  // read the partial sums): `reads` names those activations.
  auto add = [&](const std::string& op, OpClass op_class, std::vector<std::string> after,
                 Operation operation, const std::function<void(Traffic&, Bound&)>& describe,
                 double flops = 0, double bytes = 0, const std::string& reads = "") {
    WorkloadNode n = node(l, sip, op, op_class, std::move(after), std::move(operation));
    const std::string key = fmt::format("s{}.{}({})", sip.device, op, reads);
    auto it = bounds_.find(key);
    if (it == bounds_.end()) {
      Traffic traffic(topology);
      Bound extra;
      describe(traffic, extra);
      Bound b = traffic.bound();
      b.add(extra);
      it = bounds_.emplace(key, b).first;
    }
    n.bound = launched(topology, it->second, shape_.launch);
    n.flops = flops;
    n.bytes = bytes;
    add_node(std::move(n), {sip.stage, sip.microbatch});
  };
  // Projections of `a` in one launch: each weight's ("wq") product into its output, with
  // the model's bias of the same name ("bq") added in the epilogue. A lone product is gemm's;
  // several, a folded RMS normalisation (`rms`) or an addend (a residual) gemm_fused's.
  using Products = std::vector<std::pair<std::string, const Tensor*>>;
  auto project = [&](const std::string& op, std::vector<std::string> after, const Tensor& a,
                     const Products& products, bool rms = false, const Tensor* addend = nullptr) {
    const bool plain = products.size() == 1 && !rms && addend == nullptr;
    std::vector<LaunchArg> args = {a};
    if (!plain) {
      args.insert(args.end(),
                  {rms ? model_.norm_eps : 0.0, model_.bias ? 1 : 0, addend != nullptr ? 1 : 0});
    }
    // A quantised weight's scales follow its codes.
    const bool quantised = model_.weight_bits != 0;
    auto scales = [&](const std::string& weight) {
      return quantised ? &w(scales_of(weight).c_str()) : nullptr;
    };
    double weight_bytes = 0;
    for (const auto& [weight, c] : products) {
      const Tensor& b = w(weight.c_str());
      args.emplace_back(b);
      weight_bytes += static_cast<double>(b.placement().nbytes());
      if (quantised) {
        args.emplace_back(*scales(weight));
        weight_bytes += static_cast<double>(scales(weight)->placement().nbytes());
      }
      args.emplace_back(*c);
      if (model_.bias) {
        const Tensor& bias = w(bias_of(weight).c_str());
        args.emplace_back(bias);
        weight_bytes += static_cast<double>(bias.placement().nbytes());
      }
      if (addend != nullptr) args.emplace_back(*addend);
    }
    const KernelOp product{plain ? "gemm" : "gemm_fused", args};
    add(
        op, OpClass::gemm, std::move(after), product,
        [&](Traffic& t, Bound&) {
          for (const auto& [weight, c] : products) {
            product_traffic(t, a, w(weight.c_str()), *c,
                            model_.bias ? &w(bias_of(weight).c_str()) : nullptr, addend, rms,
                            scales(weight));
          }
        },
        kernel_work(product.kernel, product.args).matrix_flops(), weight_bytes,
        a.name() + (addend ? "," + addend->name() : ""));
  };
  auto normalise = [&](const std::string& op, std::vector<std::string> after,
                       const Tensor& hidden) {
    const KernelOp normalisation{norm, {hidden, sip["xn"], model_.norm_eps}};
    add(
        op, OpClass::norm, std::move(after), normalisation,
        [&](Traffic& t, Bound&) {
          own_shards(t, hidden, Direction::read);
          own_shards(t, sip["xn"], Direction::write);
          compute_share(t, kernel_work(normalisation.kernel, normalisation.args), sip["xn"]);
        },
        0, 0, hidden.name());
  };
  auto residual = [&](const std::string& op, std::vector<std::string> after) {
    const KernelOp sum{"vector_add", {sip["x"], sip["partial"], sip["x"]}};
    add(op, OpClass::elementwise, std::move(after), sum, [&](Traffic& t, Bound&) {
      own_shards(t, sip["x"], Direction::read);
      read_blocks(t, sip["partial"], sip["x"]);
      own_shards(t, sip["x"], Direction::write);
      compute_share(t, kernel_work(sum.kernel, sum.args), sip["x"]);
    });
  };
  // The all-reduce of the partial sums over the SIPs, when there is more than one: each
  // group's algorithm bound, and every SIP sending 2 (W - 1) / W of its partial sums out
  // over the inter-SIP links it has.
  // With pipeline stages the groups span every stage: a stage's SIPs reduce as a subgroup.
  // The all-reduce of the partial sums over a stage's tensor-parallel SIPs, when there is
  // more than one (with pipeline stages or expert-parallel ranks, as a subgroup).
  auto all_reduce = [&](const std::string& op, const std::string& after) -> std::string {
    if (shape_.tp == 1) return after;
    std::vector<std::uint32_t> members;
    for (std::int64_t t = 0; t < shape_.tp && (shape_.pp > 1 || shape_.ep > 1); ++t) {
      members.push_back(
          static_cast<std::uint32_t>(sip.stage * shape_.width() + sip.ep_rank * shape_.tp + t));
    }
    const Collective kind = Collective::all_reduce;
    const CollectiveOp reduce = collective(kind, sip["partial"], std::nullopt, members);
    add(op, OpClass::communication, {after}, reduce,
        [&](Traffic&, Bound& b) { b.add(collective_bound(reduce, topology)); });
    return op;
  };

  std::vector<std::string> normed = previous;
  if (!fold_norm) {
    normalise("norm_attn", previous, hidden_attn);
    normed = {"norm_attn"};
  }
  const Tensor& attn_input = fold_norm ? hidden_attn : sip["xn"];
  std::string q_ready = "q_proj", k_ready = "k_proj", v_ready = "v_proj";
  if (shape_.fuses_qkv()) {
    project("qkv_proj", normed, attn_input,
            {{"wq", &sip["q"]}, {"wk", &sip["k"]}, {"wv", &sip["v"]}}, fold_norm);
    q_ready = k_ready = v_ready = "qkv_proj";
  } else {
    project("q_proj", normed, attn_input, {{"wq", &sip["q"]}}, fold_norm);
    project("k_proj", normed, attn_input, {{"wk", &sip["k"]}}, fold_norm);
    project("v_proj", normed, attn_input, {{"wv", &sip["v"]}}, fold_norm);
  }
  if (model_.rope) {
    auto rope = [&](const std::string& op, const std::string& after, const Tensor& in,
                    const Tensor& out) {
      const KernelOp rotation{"rope",
                              {in, out, static_cast<int>(seq_q), static_cast<int>(p0),
                               static_cast<int>(d), model_.rope_theta}};
      add(op, OpClass::elementwise, {after}, rotation, [&](Traffic& t, Bound&) {
        copy_blocks(t, in, out);
        compute_share(t, kernel_work(rotation.kernel, rotation.args), out);
      });
    };
    rope("rope_q", q_ready, sip["q"], q_rot);
    rope("rope_k", k_ready, sip["k"], k_rot);
    q_ready = "rope_q";
    k_ready = "rope_k";
  }
  auto joined = [](std::vector<LaunchArg> head, const std::vector<LaunchArg>& tail) {
    head.insert(head.end(), tail.begin(), tail.end());
    return head;
  };
  const std::vector<LaunchArg> geometry_tail = {static_cast<int>(seq_q), static_cast<int>(p0), kv};
  auto with_geometry = [&](std::vector<LaunchArg> head) {
    return joined(std::move(head), geometry_tail);
  };
  // A cache's arguments: the cache, and an int8 cache's scales after it.
  auto cache_args = [&](const char* cache) {
    std::vector<LaunchArg> args = {w(cache)};
    if (model_.kv_int8()) args.emplace_back(w(scales_of(cache).c_str()));
    return args;
  };
  add("k_append", OpClass::copy, {k_ready},
      KernelOp{"kv_append", with_geometry(joined({k_rot}, cache_args("k_cache")))},
      [](Traffic&, Bound&) {});
  add("v_append", OpClass::copy, {v_ready},
      KernelOp{"kv_append", with_geometry(joined({sip["v"]}, cache_args("v_cache")))},
      [](Traffic&, Bound&) {});
  const double kv_bytes =
      static_cast<double>(micro_.batch * dims_.kv_heads * micro_.keys()) * model_.kv_row_bytes();
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));
  // Per row of `rows_of` (batch, head, query): `products` dot products of head_dim with each
  // key it sees, and the rows of `caches` its (batch, head) reads (an int8 cache's scales
  // too, its values dequantised).
  auto attention_traffic = [&](Traffic& t, const Tensor& rows_of, double products,
                               std::initializer_list<const char*> caches) {
    const double dequantised = model_.kv_int8() ? static_cast<double>(caches.size()) : 0.0;
    attention.rows(rows_of, [&](const DeviceShard& sh, std::uint64_t, std::int64_t keys) {
      const PeCoord pe{sh.sip, sh.cube, sh.pe};
      t.macs(pe, products * static_cast<double>(keys * d), dt);
      if (dequantised > 0) t.dequant(pe, dequantised * static_cast<double>(keys * d));
    });
    for (const char* cache : caches) {
      attention.cache_reads(t, rows_of, w(cache));
      if (model_.kv_int8()) attention.cache_reads(t, rows_of, w(scales_of(cache).c_str()));
    }
  };
  std::string attended = "pv";
  if (micro_.attention == AttentionMode::fused) {
    std::vector<LaunchArg> args =
        with_geometry(joined(joined(joined({q_rot}, cache_args("k_cache")), cache_args("v_cache")),
                             {sip["attn"], sip["lse"]}));
    args.emplace_back(scale);
    const KernelOp fused{"attention_fused", args};
    add(
        "attention", OpClass::attention, {q_ready, "k_append", "v_append"}, fused,
        [&](Traffic& t, Bound&) {
          attention_traffic(t, sip["lse"], 2, {"k_cache", "v_cache"});
        },
        kernel_work(fused.kernel, fused.args).matrix_flops(), 2 * kv_bytes);
    attended = "attention";
  } else {
    std::vector<LaunchArg> scores_args =
        with_geometry(joined(joined({q_rot}, cache_args("k_cache")), {sip["scores"]}));
    scores_args.emplace_back(scale);
    const KernelOp scores{"attention_scores", scores_args};
    const KernelOp pv{
        "attention_pv",
        with_geometry(joined(joined({sip["probs"]}, cache_args("v_cache")), {sip["attn"]}))};
    add(
        "scores", OpClass::attention, {q_ready, "k_append"}, scores,
        [&](Traffic& t, Bound&) {
          attention_traffic(t, sip["scores"], 1, {"k_cache"});
          attention.rows(sip["scores"],
                         [&](const DeviceShard& sh, std::uint64_t, std::int64_t keys) {
                           t.access({sh.sip, sh.cube, sh.pe}, memory_of(sh),
                                    static_cast<double>(keys) * 4, Direction::write);
                         });
        },
        kernel_work(scores.kernel, scores.args).matrix_flops(), kv_bytes);
    add("softmax", OpClass::attention, {"scores"},
        KernelOp{"causal_softmax", with_geometry({sip["scores"], sip["probs"]})},
        [&](Traffic& t, Bound&) {
          attention.rows(
              sip["probs"], [&](const DeviceShard& sh, std::uint64_t, std::int64_t keys) {
                const PeCoord pe{sh.sip, sh.cube, sh.pe};
                t.access(pe, memory_of(sh), static_cast<double>(keys) * 4, Direction::read);
                t.access(pe, memory_of(sh),
                         static_cast<double>(keys * static_cast<std::int64_t>(itemsize(dt))),
                         Direction::write);
                t.vector(pe, static_cast<double>(keys), 6);
              });
        });
    add(
        "pv", OpClass::attention, {"softmax", "v_append"}, pv,
        [&](Traffic& t, Bound&) {
          attention_traffic(t, sip["probs"], 1, {"v_cache"});
          attention.rows(
              sip["probs"], [&](const DeviceShard& sh, std::uint64_t, std::int64_t keys) {
                t.access({sh.sip, sh.cube, sh.pe}, memory_of(sh),
                         static_cast<double>(keys * static_cast<std::int64_t>(itemsize(dt))),
                         Direction::read);
              });
        },
        kernel_work(pv.kernel, pv.args).matrix_flops(), kv_bytes);
  }
  project("o_proj", {attended}, sip["attn"], {{"wo", &sip["partial"]}}, false, attn_addend);
  std::string attention_done = all_reduce("allreduce_attn", "o_proj");
  if (!fold_residual) {
    residual("residual_attn", {attention_done});
    attention_done = "residual_attn";
  }

  normed = {attention_done};
  if (!fold_norm) {
    normalise("norm_mlp", {attention_done}, hidden_mlp);
    normed = {"norm_mlp"};
  }
  const Tensor& mlp_input = fold_norm ? hidden_mlp : sip["xn"];
  if (model_.moe_layer(l)) {
    const std::string mixed = lower_experts(l, sip, {add, project}, normed);
    residual("residual_mlp", {all_reduce("allreduce_mlp", mixed)});
    return;
  }
  const std::string down = lower_mlp(sip, {add, project}, "", "", normed, mlp_input, sip["partial"],
                                     fold_norm, mlp_addend);
  const std::string reduced = all_reduce("allreduce_mlp", down);
  if (!fold_residual) residual("residual_mlp", {reduced});
}

void TransformerStep::lower_embedding(Sip& sip) {
  const platform::Topology& topology = sip.ctx->topology();
  const std::vector<std::int64_t>& ids = data_of(sip).ids;
  std::vector<LaunchArg> args = {sip["embed"], sip["x"]};
  for (std::int64_t id : ids) args.emplace_back(id);
  WorkloadNode n;
  n.name = sip.label + ".embed";
  n.op_class = OpClass::copy;
  n.layer = "input";
  n.device = static_cast<std::uint32_t>(sip.device);
  n.after = {sip.label + ".input"};
  Traffic traffic(topology);
  gather_rows(traffic, sip["embed"], sip["x"], ids);
  n.bound = launched(topology, traffic.bound(), shape_.launch);
  n.bytes = static_cast<double>(sip["x"].placement().nbytes());  // the rows it reads
  n.operation = KernelOp{"gather_rows", std::move(args)};
  add_node(std::move(n), {sip.stage, sip.microbatch});
}

namespace {

// A transfer of the hidden state between stages: `s<device>[.m<j>].<what>`.
WorkloadNode transfer_node(const std::string& label, std::int64_t device, const char* what) {
  WorkloadNode n;
  n.name = label + "." + what;
  n.op_class = OpClass::communication;
  n.layer = "pipeline";
  n.device = static_cast<std::uint32_t>(device);
  return n;
}

}  // namespace

// The hidden state, each PE's blocks to the same PE of the next stage (its rank there is
// the stage's): as many bytes as the PE holds, over its port.
void TransformerStep::lower_send(Sip& sip) {
  const platform::Topology& topology = sip.ctx->topology();
  WorkloadNode n = transfer_node(sip.label, sip.device, "send");
  n.after = {last_node(sip)};
  Traffic traffic(topology);
  own_shards(traffic, hidden(sip), Direction::read);
  n.bound = launched(topology, traffic.bound(), shape_.launch);
  n.operation = KernelOp{"send_block", {hidden(sip), sip.device + shape_.width()}};
  add_node(std::move(n), {});
}

// The hidden state from the previous stage, into the blocks the layers read, once this SIP
// is done with the microbatch before (a receive holds its PEs until the data is in).
void TransformerStep::lower_recv(Sip& sip) {
  const platform::Topology& topology = sip.ctx->topology();
  WorkloadNode n = transfer_node(sip.label, sip.device, "recv");
  if (sip.microbatch > 0) n.after = {last_node(unit(sip.device, sip.microbatch - 1))};
  // Each block's bytes over the path from the same PE of the previous stage.
  Bound b;
  const MachineShape& here = sip.ctx->machine();
  const MachineShape& there = unit(sip.device - shape_.width(), sip.microbatch).ctx->machine();
  for (const DeviceShard& shard : hidden(sip).shards()) {
    const FabricPath path =
        fabric_path(topology, {static_cast<std::uint32_t>(there.first_sip), shard.cube, shard.pe},
                    {static_cast<std::uint32_t>(here.first_sip), shard.cube, shard.pe});
    b.add("alpha_beta", path.alpha_ns + static_cast<double>(shard.nbytes) / path.beta_gbps);
  }
  n.bound = launched(topology, b, shape_.launch);
  n.operation = KernelOp{"recv_block", {hidden(sip), sip.device - shape_.width()}};
  add_node(std::move(n), {});
}

std::string TransformerStep::last_node(const Sip& sip) const {
  const auto [first, count] = shape_.stage_layers(sip.stage);
  return fmt::format("L{}.{}.{}", first + count - 1, sip.label, layer_end());
}

void TransformerStep::lower_head(Sip& sip) {
  const platform::Topology& topology = sip.ctx->topology();
  const Tensor& hidden_state = hidden(sip);
  const std::string prefix = "head." + sip.label + ".";
  std::string after = last_node(sip);
  auto add = [&](const std::string& op, OpClass op_class, KernelOp operation,
                 const std::function<void(Traffic&)>& describe, double flops = 0,
                 double bytes = 0) {
    WorkloadNode n;
    n.name = prefix + op;
    n.op_class = op_class;
    n.layer = "head";
    n.device = static_cast<std::uint32_t>(sip.device);
    n.after = {after};
    Traffic traffic(topology);
    describe(traffic);
    n.bound = launched(topology, traffic.bound(), shape_.launch);
    n.flops = flops;
    n.bytes = bytes;
    n.operation = std::move(operation);
    add_node(std::move(n), {sip.stage, sip.microbatch});
    after = prefix + op;
  };
  // Prefill samples after each sequence's last token only.
  const Tensor* last = &hidden_state;
  if (micro_.phase == Phase::prefill) {
    std::vector<std::int64_t> rows;
    for (std::int64_t b = 0; b < micro_.batch; ++b) rows.push_back((b + 1) * micro_.seq - 1);
    std::vector<LaunchArg> args = {hidden_state, sip["last"]};
    args.insert(args.end(), rows.begin(), rows.end());
    add("last_tokens", OpClass::copy, KernelOp{"gather_rows", args},
        [&](Traffic& t) { gather_rows(t, hidden_state, sip["last"], rows); });
    last = &sip["last"];
  }
  const KernelOp norm{model_.norm == Norm::rmsnorm ? "rmsnorm" : "layernorm",
                      {*last, sip["xf"], model_.norm_eps}};
  add("norm", OpClass::norm, norm, [&](Traffic& t) {
    read_blocks(t, *last, sip["xf"]);
    own_shards(t, sip["xf"], Direction::write);
    compute_share(t, kernel_work(norm.kernel, norm.args), sip["xf"]);
  });
  const Tensor& w = sip["w_head"];
  const KernelOp product{"gemm", {sip["xf"], w, sip["logits"]}};
  add(
      "lm_head", OpClass::gemm, product,
      [&](Traffic& t) { product_traffic(t, sip["xf"], w, sip["logits"], nullptr, nullptr, false); },
      kernel_work(product.kernel, product.args).matrix_flops(),
      static_cast<double>(w.placement().nbytes()));
  const KernelOp sample{"argmax_rows", {sip["logits"], sip["next"], model_.vocab_size}};
  add("sample", OpClass::other, sample, [&](Traffic& t) {
    read_overlap(t, sip["logits"], sip["next"], true, false);
    own_shards(t, sip["next"], Direction::write);
    compute_share(t, kernel_work(sample.kernel, sample.args), sip["next"]);
  });
}

std::string TransformerStep::layer_end() const {
  if (!folds_residual(shape_)) return "residual_mlp";
  return shape_.tp > 1 ? "allreduce_mlp" : "down_proj";
}

}  // namespace kb::runtime

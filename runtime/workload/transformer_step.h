#pragma once
// The transformer lowering (docs/workloads.md): one step of `layers` decoder layers as a
// workload graph, on one runtime context per tensor-parallel SIP. Each layer: norm, Q/K/V
// projections (column-parallel), RoPE, KV-cache append, attention (Q K^T, causal softmax,
// P V), output projection (row-parallel), all-reduce, residual add; norm, up (and gate)
// projections, activation, down projection, all-reduce, residual add (the fusion modes run
// some of these as one node, StepShape::fusion). Before the layers, each SIP looks the
// tokens' embeddings up; after them, SIP 0 runs the final norm, the LM head and greedy
// sampling (the hidden state is whole on every SIP by then). Inside a SIP every
// op spreads over its cubes and PEs; weights and KV caches are distinct per layer,
// activations are reused from layer to layer.

#include "runtime/context/runtime_context.h"
#include "runtime/kernel/tile.h"
#include "runtime/workload/graph.h"
#include "runtime/workload/projection_mapper.h"
#include "runtime/workload/step_shape.h"

#include <memory>
#include <vector>

namespace kb::runtime {

// A tensor one SIP holds for the step: activations (reused by every layer), and each
// layer's weights and KV caches ("L3.wq", "L3.k_cache"). A quantised weight is two tensors,
// its codes (under the weight's name) and then its scales.
struct StepTensor {
  enum class Kind { activation, weight, cache };
  enum class Part { whole, codes, scales };
  std::string name;
  std::vector<std::int64_t> shape;
  DType dtype;
  DPPolicy policy;
  Kind kind;
  Part part = Part::whole;
};
// The bias of the projection whose weight is `weight` in a layer ("wq" -> "bq", "w_up" ->
// "b_up"), for models with biases; and the scales of a quantised weight ("wq_scales").
std::string bias_of(const std::string& weight);
std::string scales_of(const std::string& weight);

// Every tensor of one SIP, in the order the step creates them; `machine` is the SIP's, `map`
// the projections' placement (map_projections); `head`: the SIP that runs the LM head and
// sampling (SIP 0).
std::vector<StepTensor> step_tensors(const ModelConfig& model, const StepShape& shape,
                                     const MachineShape& machine, const ProjectionMap& map,
                                     bool head);
// The LM head's columns: the vocabulary padded to a multiple of the SIP's PEs (as Megatron
// pads it), so that they spread over every PE; the padding's logits are never sampled.
std::int64_t head_columns(const ModelConfig& model, const MachineShape& machine);

// The host values a functional step was given, for the reference forward pass.
struct StepData {
  // One SIP's weights and caches (before the step) of a layer, by step_tensors() name
  // without the layer: "wq", "k_cache"...
  using SipLayer = std::map<std::string, Tile>;
  std::vector<std::int64_t> ids;              // the step's tokens, one per row of the input
  Tile input;                                 // [tokens, hidden]: their embedding rows
  std::vector<std::vector<SipLayer>> layers;  // [layer][sip]
  SipLayer model;                             // SIP 0's "embed" and "w_head"
};

class TransformerStep {
 public:
  // Places what the step needs on `devices` (device d: tensor-parallel SIP d), uploads it
  // (random values in functional runs, `with_data`; the same requests without values
  // otherwise) and builds the graph. `installer`, a context over every SIP, installs the
  // tensor-parallel process groups when tp > 1. Call from a host thread.
  TransformerStep(const ModelConfig& model, const StepShape& shape,
                  const std::vector<RuntimeContext*>& devices, RuntimeContext& installer,
                  bool with_data);
  ~TransformerStep();
  TransformerStep(const TransformerStep&) = delete;
  TransformerStep& operator=(const TransformerStep&) = delete;

  const WorkloadGraph& graph() const { return graph_; }
  const StepData& data() const { return data_; }
  // The hidden state after the step, on device d.
  const Tensor& output(std::size_t device) const;
  // The LM head's logits ([batch, head_columns], f32) and the sampled tokens ([batch, 1],
  // i32), on SIP 0.
  const Tensor& logits() const;
  const Tensor& next_tokens() const;

 private:
  struct Sip;
  void place(std::size_t sip, RuntimeContext& ctx, bool with_data);
  void lower_layer(std::int64_t layer, std::size_t sip);
  void lower_embedding(std::size_t sip);
  void lower_head();
  // The op that ends a layer: the residual add, or with residuals folded into the
  // projections, the down projection or its all-reduce.
  std::string layer_end() const;
  WorkloadNode node(std::int64_t layer, std::size_t sip, const std::string& op, OpClass op_class,
                    std::vector<std::string> after, Operation operation) const;

  ModelConfig model_;
  StepShape shape_;
  LayerDims dims_;
  ProjectionMap map_;
  std::vector<std::unique_ptr<Sip>> sips_;
  std::shared_ptr<const ProcessGroups> groups_;
  std::map<std::string, Bound> bounds_;  // per op of a layer: every layer places alike
  WorkloadGraph graph_;
  StepData data_;
};

}  // namespace kb::runtime

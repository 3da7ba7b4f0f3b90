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
// activations are reused from layer to layer. Pipeline stages (pp) hold their layers; each
// stage runs the microbatches in turn and sends each one's hidden state to the next stage
// over the IPCQ; the first stage looks the embeddings up, the last runs the head. A
// mixture of experts' layers route each token to its experts (transformer_mlp.cpp): its
// expert-parallel ranks (ep) run their own sequences and exchange tokens by all-to-all.

#include "runtime/ccl/ccl_config.h"
#include "runtime/context/runtime_context.h"
#include "runtime/kernel/tile.h"
#include "runtime/workload/expert_routing.h"
#include "runtime/workload/graph.h"
#include "runtime/workload/projection_mapper.h"
#include "runtime/workload/step_shape.h"

#include <map>
#include <memory>
#include <random>
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
  bool microbatched = false;  // one per microbatch (a sequence's state), else shared by all
};
// The bias of the projection whose weight is `weight` in a layer ("wq" -> "bq", "w_up" ->
// "b_up"), for models with biases; and the scales of a quantised weight ("wq_scales").
std::string bias_of(const std::string& weight);
std::string scales_of(const std::string& weight);

// What one SIP runs of the step: layers [first_layer, first_layer + layers), the embedding
// lookup (the first stage), the LM head and sampling (the last stage's first SIP).
struct StagePart {
  std::int64_t first_layer = 0, layers = 0;
  bool embed = true, head = true;
};
// The part of SIP `device` (stage device / tp, tensor-parallel rank device % tp).
StagePart stage_part(const StepShape& shape, std::int64_t device);

// Every tensor of one SIP for one microbatch of `shape` (shape.microbatch()), in the order
// the step creates them; `machine` is the SIP's, `map` the projections' placement
// (map_projections), `routing` the experts' (route_experts; sizes their buffers). A SIP
// holds the microbatched ones once per microbatch.
std::vector<StepTensor> step_tensors(const ModelConfig& model, const StepShape& shape,
                                     const MachineShape& machine, const ProjectionMap& map,
                                     const StagePart& part, const ExpertRouting& routing);
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
  // A mixture's layers: each token's experts ([layer][token x per_token + k]; empty for a
  // dense layer); every expert's weights are in `layers` by its number ("x5.w_up").
  std::vector<std::vector<std::int32_t>> routing;
};

class TransformerStep {
 public:
  // Places what the step needs on `devices` (device d: stage d / tp, tensor-parallel SIP
  // d % tp), uploads it (random values in functional runs, `with_data`; the same requests
  // without values otherwise) and builds the graph. `installer`, a context over every SIP,
  // installs the process groups of the tensor-parallel all-reduce (tp > 1) or of the stages'
  // transfers (pp > 1). `map`: the mapper's choice for this model, shape and machine, if
  // already searched (map_projections); searched here otherwise. Call from a host thread.
  TransformerStep(const ModelConfig& model, const StepShape& shape,
                  const std::vector<RuntimeContext*>& devices, RuntimeContext& installer,
                  bool with_data, const ProjectionMap* map = nullptr);
  ~TransformerStep();
  TransformerStep(const TransformerStep&) = delete;
  TransformerStep& operator=(const TransformerStep&) = delete;

  const WorkloadGraph& graph() const { return graph_; }
  const ProjectionMap& projection_map() const { return map_; }
  // A microbatch's host values (each microbatch of each expert-parallel rank a step of its
  // own sequences).
  const StepData& data(std::size_t microbatch = 0, std::size_t ep_rank = 0) const;
  // A microbatch's hidden state after the step, on the last stage's SIP `rank` (ep rank x tp
  // + tensor-parallel rank).
  const Tensor& output(std::size_t rank, std::size_t microbatch = 0) const;
  // A microbatch's LM head logits ([batch, head_columns], f32) and sampled tokens ([batch,
  // 1], i32), on the first SIP of its expert-parallel rank in the last stage.
  const Tensor& logits(std::size_t microbatch = 0, std::size_t ep_rank = 0) const;
  const Tensor& next_tokens(std::size_t microbatch = 0, std::size_t ep_rank = 0) const;
  const ExpertRouting& routing() const { return routing_; }
  const ExpertBuffers& expert_buffers() const { return buffers_; }
  // Which stage and microbatch each node's work belongs to, by graph index (its layers, the
  // first stage's embedding, the last one's head; -1 for the host's copies and the transfers
  // between stages): the pipeline's bubbles.
  struct Place {
    std::int64_t stage = -1, microbatch = -1;
  };
  const std::vector<Place>& places() const { return places_; }

 private:
  // One SIP's tensors for one microbatch (a unit of work: its nodes run in turn).
  struct Sip;
  Sip& unit(std::int64_t device, std::int64_t microbatch) const;
  Sip& head_unit(std::size_t microbatch, std::size_t ep_rank) const;
  // A replica, the sequences one expert-parallel rank runs as one microbatch: its index in
  // data_ and in the routing (ExpertRouting::choices).
  std::int64_t replica(std::int64_t ep_rank, std::int64_t microbatch) const {
    return ep_rank * shape_.microbatches + microbatch;
  }
  StepData& data_of(const Sip& sip);
  // A tensor of an expert this SIP holds ("L3.e1.w_up") by the expert's number for the
  // reference ("L3.x5.w_up"); nullopt for others.
  std::optional<std::string> expert_name(const std::string& name, std::int64_t ep_rank) const;
  // A layer's tensor of an expert ("L3.e1.w_up").
  static bool is_expert_tensor(const std::string& name);
  void place(std::size_t device, RuntimeContext& ctx, bool with_data);
  // What one SIP's uploads draw from: its weights' and caches' generator, the embedding
  // table's (every SIP holds the same table), and the scales of the quantised tensors made
  // so far, by name and microbatch, for their own upload after the codes'.
  struct Uploads {
    std::mt19937 rng, expert_rng, embed_rng;
    std::map<std::pair<std::string, std::int64_t>, Tile> scales;
  };
  // Fills `t`, microbatch `microbatch`'s tensor of `spec`: random values (quantised where
  // the spec says) in functional runs, the same request without values otherwise. Returns
  // what the host reference computes with (a quantised tensor's values as its codes give
  // them back; none for scales or without data).
  Tile upload(const StepTensor& spec, std::int64_t microbatch, const Tensor& t, RuntimeContext& ctx,
              bool with_data, Uploads& uploads) const;
  // Files `values` of the tensor `name` ("embed", "L3.wq") of tensor-parallel SIP `rank`
  // into `data` for the reference.
  static void remember(const std::string& name, std::size_t rank, StepData& data,
                       const Tile& values);
  void lower_input(Sip& sip, bool with_data);
  void lower_layer(std::int64_t layer, Sip& sip);
  // A mixture's MLP in layer `layer` after `after` (its norm): router, gates, shared
  // experts, dispatch, the experts, return and combine into the partial sums; the name of
  // its last node. `ops` are the layer's node builders (lower_layer's).
  struct LayerOps;
  std::string lower_experts(std::int64_t layer, Sip& sip, const LayerOps& ops,
                            const std::vector<std::string>& after);
  // An MLP after `after`: `input` through the layer's weights `prefix`w_up (w_gate) w_down
  // into `out` via the tensors `prefix`up (gate) act, its nodes named `op_prefix`up_proj...
  // (`rms`: an RMS norm folded into the first projections; `addend`: a residual into the
  // last's epilogue). The name of its last node.
  std::string lower_mlp(const Sip& sip, const LayerOps& ops, const std::string& op_prefix,
                        const std::string& prefix, const std::vector<std::string>& after,
                        const Tensor& input, const Tensor& out, bool rms, const Tensor* addend);
  // `kind` over `in` (into `out`) among `members` of the groups' ranks (every rank when
  // empty), with the ccl.yaml's algorithm for the size (pairwise for an all-to-all it has
  // none for); and its bound: the algorithm's alpha-beta over the group's fabric, and the
  // SIP's inter-SIP egress.
  CollectiveOp collective(Collective kind, const Tensor& in, std::optional<Tensor> out,
                          std::vector<std::uint32_t> members) const;
  Bound collective_bound(const CollectiveOp& op, const platform::Topology& topology) const;
  void lower_embedding(Sip& sip);
  void lower_head(Sip& sip);
  // The hidden state to the next stage, and from the previous one.
  void lower_send(Sip& sip);
  void lower_recv(Sip& sip);
  // The op that ends a layer: the residual add, or with residuals folded into the
  // projections, the down projection or its all-reduce; the name of that node.
  std::string layer_end() const;
  std::string last_node(const Sip& sip) const;
  // The hidden state's tensor between layers: x, or the partial sums with residuals folded.
  const Tensor& hidden(const Sip& sip) const;
  WorkloadNode node(std::int64_t layer, const Sip& sip, const std::string& op, OpClass op_class,
                    std::vector<std::string> after, Operation operation) const;
  void add_node(WorkloadNode node, Place place);

  ModelConfig model_;
  StepShape shape_;
  StepShape micro_;  // one microbatch's shape
  LayerDims dims_;
  ProjectionMap map_;
  ExpertRouting routing_;
  ExpertBuffers buffers_;
  std::vector<std::unique_ptr<Sip>> units_;  // device-major, microbatches within
  CclAlgorithmConfig ccl_;  // the tensor-parallel all-reduce's: the default ccl.yaml's
  std::shared_ptr<const ProcessGroups> groups_;
  std::map<std::string, Bound> bounds_;  // per op of a layer: every layer places alike
  WorkloadGraph graph_;
  std::vector<Place> places_;
  std::vector<StepData> data_;  // per microbatch
};

}  // namespace kb::runtime

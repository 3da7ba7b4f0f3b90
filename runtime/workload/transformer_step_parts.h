#pragma once
// What the transformer lowering's sources share (transformer_step.cpp, transformer_mlp.cpp):
// a SIP's tensors for one microbatch, and a layer's node builders.

#include "runtime/bound/traffic.h"
#include "runtime/workload/transformer_step.h"

#include <fmt/format.h>

#include <functional>

namespace kb::runtime {

// One SIP's tensors for one microbatch, by step_tensors() name: the microbatch's own and
// those it shares with the SIP's other microbatches.
struct TransformerStep::Sip {
  RuntimeContext* ctx = nullptr;
  std::int64_t device = 0, stage = 0, rank = 0, ep_rank = 0, microbatch = 0;
  std::string label;  // in node names: "s<device>", and ".m<microbatch>" with several
  std::map<std::string, Tensor> tensors;
  const Tensor& operator[](const std::string& name) const { return tensors.at(name); }
  const Tensor& layer(std::int64_t l, const std::string& name) const {
    return tensors.at(fmt::format("L{}.{}", l, name));
  }
};

// lower_layer's node builders, for the parts of a layer lowered apart.
struct TransformerStep::LayerOps {
  using Describe = std::function<void(Traffic&, Bound&)>;
  // A node `op` of the layer: its bound from `describe` (once per op and `reads`).
  std::function<void(const std::string& op, OpClass op_class, std::vector<std::string> after,
                     Operation operation, const Describe& describe, double flops, double bytes,
                     const std::string& reads)>
      add;
  using Products = std::vector<std::pair<std::string, const Tensor*>>;
  // Projections of `a` by the layer's weights named in `products`, in one launch.
  std::function<void(const std::string& op, std::vector<std::string> after, const Tensor& a,
                     const Products& products, bool rms, const Tensor* addend)>
      project;
};

}  // namespace kb::runtime

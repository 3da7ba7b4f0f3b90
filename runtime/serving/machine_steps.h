#pragma once
// Serving steps simulated on the machine (docs/serving.md, "The step cache"): each one a
// transformer step (runtime/workload/transformer_step.h) of the given shape, run in the
// simulation on fresh device contexts whose tensors are freed after it. Only `sim_layers`
// decoder layers are simulated; the step's time for the model's layers adds the last
// simulated layer's span once per layer left out (every layer has the same shape, so each
// takes what the last one took; the docs state the error against whole-model runs), and
// its dynamic energy in the same proportion to its time.

#include "runtime/context/runtime_context.h"
#include "runtime/serving/step_cache.h"
#include "runtime/workload/executor.h"
#include "runtime/workload/graph.h"

namespace kb::runtime::serving {

class MachineSteps {
 public:
  // `base` gives tp, attention, launch, fusion and mapping; `installer` is a context over
  // every SIP (it installs the tensor-parallel groups). Call from a host thread.
  MachineSteps(RuntimeContext& installer, ModelConfig model, StepShape base,
               std::int64_t sim_layers);
  StepCost cost(const StepKey& key);
  StepShape shape_of(const StepKey& key) const;

 private:
  RuntimeContext& installer_;
  ModelConfig model_;
  StepShape base_;
  std::int64_t sim_layers_;
};

// The span of a step's layer `layer` ("L3"): from the end of what came before it (the
// previous layer, or the embedding) to the end of its last node.
double layer_span_ns(const WorkloadGraph& graph, const std::vector<NodeRun>& runs,
                     std::int64_t layer);

}  // namespace kb::runtime::serving

#pragma once
// The host reference of a transformer step (transformer_step.h): the same layers on the
// same values, each op from runtime/kernels/transformer_reference.h, in double and rounded
// to the model's dtype wherever the device stores a tensor, tensor-parallel partial sums
// added as the all-reduce adds them.

#include "runtime/kernel/tile.h"
#include "runtime/workload/step_shape.h"
#include "runtime/workload/transformer_step.h"

namespace kb::runtime {

// The hidden state after the step.
Tile reference_step(const ModelConfig& model, const StepShape& shape, const StepData& data);

// The LM head on `hidden` (reference_step's): each sequence's last token, the final norm
// (rounded to the dtype, as the device stores it), then the head's product into f32, over
// all head_columns (the padding's logits are 0). `normed` receives the norm's output.
Tile reference_logits(const ModelConfig& model, const StepShape& shape, const StepData& data,
                      const Tile& hidden, Tile* normed = nullptr);

}  // namespace kb::runtime

#pragma once
// The traffic of one matrix product as gemm and gemm_fused run it (runtime/kernels/gemm.h),
// from its tensors' placements.

#include "runtime/bound/traffic.h"
#include "runtime/tensor/tensor.h"

namespace kb::runtime {

// c = a . b (+ bias, + addend; `rms`: a's rows normalised first; `scales`: b is a quantised
// weight's codes) on the PEs holding c's blocks: their share of its work, the rows of A and
// the columns of B (and the bias and scales) each block needs, the addend's block, and the
// block written.
void product_traffic(Traffic& traffic, const Tensor& a, const Tensor& b, const Tensor& c,
                     const Tensor* bias, const Tensor* addend, bool rms,
                     const Tensor* scales = nullptr);

}  // namespace kb::runtime

#pragma once
// The gemm kernels' shared parts: the input and result types, which benches check before a
// run, and the tiled product of one PE's block, which gemm and gemm_fused both run.

#include "runtime/kernel/kernel_context.h"
#include "runtime/kernels/kernel_work.h"
#include "runtime/tensor/dtype.h"

namespace kb::runtime {

constexpr const char* kGemmTypes =
    "A and B f16 or bf16 into C f32, f16 or bf16, f32 into f32, or i8 into i32";
bool gemm_output_allowed(DType inputs, DType output);

// One product C = A . B, with an epilogue adding a bias row and an addend matrix of C's shape
// (a residual) before C is stored; either may be absent.
struct GemmProduct {
  const TensorView* b = nullptr;
  const TensorView* c = nullptr;
  const TensorView* bias = nullptr;
  const TensorView* addend = nullptr;
};

// Throws std::invalid_argument naming `kernel` when the shapes or types do not fit.
void check_gemm(const char* kernel, const TensorView& a, const GemmProduct& product);

// This PE's block of `product`'s C, tiled through TCM and double-buffered. With `rms_eps` > 0
// A's rows are RMS-normalised first, as rmsnorm would (no scale): the sum of squares of each
// row is gathered from the A slices the product stages anyway, and the accumulator's rows
// divided by sqrt(mean + eps) before the epilogue.
void gemm_own_block(KernelContext& k, const TensorView& a, const GemmProduct& product,
                    double rms_eps);

// What gemm_own_block does over all PEs for A, B, C (bias, addend: nullptr when absent),
// with A's rows normalised when `normalised`.
KernelWork gemm_work(const TensorShape& a, const TensorShape& b, const TensorShape& c,
                     const TensorShape* bias, const TensorShape* addend, bool normalised);

}  // namespace kb::runtime

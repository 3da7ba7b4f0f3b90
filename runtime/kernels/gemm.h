#pragma once
// The gemm kernels' shared parts: the input and result types, which benches check before a
// run, and the tiled product of one PE's block, which gemm and gemm_fused both run.

#include "runtime/kernel/kernel_context.h"
#include "runtime/kernels/kernel_work.h"
#include "runtime/tensor/dtype.h"

namespace kb::runtime {

constexpr const char* kGemmTypes =
    "A and B f16 or bf16 into C f32, f16 or bf16, f32 into f32, or i8 into i32; or A in a float "
    "type times B quantised (i8 codes: int8, u8: int4 two per byte along K, with scales)";
bool gemm_output_allowed(DType inputs, DType output);

// One product C = A . B, with an epilogue adding a bias row and an addend matrix of C's shape
// (a residual) before C is stored; either may be absent. With `scales`, B is a quantised
// weight's codes (runtime/kernel/quantisation.h: i8 for int8, u8 for int4), dequantised
// slice by slice into A's dtype before the MACs; the scales' rows divide K into groups.
struct GemmProduct {
  const TensorView* b = nullptr;
  const TensorView* c = nullptr;
  const TensorView* bias = nullptr;
  const TensorView* addend = nullptr;
  const TensorView* scales = nullptr;
};

// Throws std::invalid_argument naming `kernel` when the shapes or types do not fit.
void check_gemm(const char* kernel, const TensorView& a, const GemmProduct& product);

// This PE's block of `product`'s C, tiled through TCM and double-buffered. With `rms_eps` > 0
// A's rows are RMS-normalised first, as rmsnorm would (no scale): the sum of squares of each
// row is gathered from the A slices the product stages anyway, and the accumulator's rows
// divided by sqrt(mean + eps) before the epilogue.
void gemm_own_block(KernelContext& k, const TensorView& a, const GemmProduct& product,
                    double rms_eps);

// What gemm_own_block does over all PEs for A, B, C (bias, addend, scales: nullptr when
// absent), with A's rows normalised when `normalised`: a quantised B's codes and scales are
// read, and each of its K x N weights dequantised at least once.
KernelWork gemm_work(const TensorShape& a, const TensorShape& b, const TensorShape& c,
                     const TensorShape* bias, const TensorShape* addend, bool normalised,
                     const TensorShape* scales = nullptr);
// Whether a product's B of `b` with A of `a` is quantised codes (then followed by scales).
bool quantised_b(DType a, DType b);

}  // namespace kb::runtime

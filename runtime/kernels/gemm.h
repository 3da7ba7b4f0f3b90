#pragma once
// The gemm kernel's input and result types, which benches check before a run.

#include "runtime/tensor/dtype.h"

namespace kb::runtime {

constexpr const char* kGemmTypes =
    "A and B f16 or bf16 into C f32, f16 or bf16, f32 into f32, or i8 into i32";
bool gemm_output_allowed(DType inputs, DType output);

}  // namespace kb::runtime

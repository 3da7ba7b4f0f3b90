#pragma once
// Kernels by name (the seed's triton_emu registry), and the builtin kernels.

#include "runtime/kernel/kernel_context.h"

#include <map>
#include <string>
#include <vector>

namespace kb::runtime {

struct KernelInfo {
  std::string name;
  std::string signature;  // arguments, in launch order
  std::string summary;
  KernelFn fn;
};

class KernelRegistry {
 public:
  // Registers or replaces (the last registration wins, as in the seed).
  void add(KernelInfo info);
  // The kernel called `name`; throws with the known names when there is none.
  const KernelInfo& get(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, KernelInfo> kernels_;
};

// The process-wide registry, with the builtin kernels registered.
KernelRegistry& kernel_registry();

// Builtins (runtime/kernels/*.cpp). Each PE computes the block of the output it owns,
// reading inputs in global coordinates, so any placement works whose blocks the SIP holds.
void register_elementwise_kernels(KernelRegistry& registry);  // vector_add, axpy, silu_mul, gelu
void register_copy_kernels(KernelRegistry& registry);         // memcpy, transpose
void register_row_kernels(KernelRegistry& registry);  // softmax, layernorm, rmsnorm, reduce_sum
void register_gemm_kernel(KernelRegistry& registry);  // gemm
void register_rope_kernel(KernelRegistry& registry);  // rope
// kv_append, attention_scores, causal_softmax, attention_pv
void register_attention_kernels(KernelRegistry& registry);
// busy, hbm_load, hbm_store, send_block, recv_block
void register_trace_kernels(KernelRegistry& registry);

// gemm's input and result types.
constexpr const char* kGemmTypes =
    "A and B f16 or bf16 into C f32, f16 or bf16, f32 into f32, or i8 into i32";
bool gemm_output_allowed(DType inputs, DType output);

}  // namespace kb::runtime

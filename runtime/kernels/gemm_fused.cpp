// Several products of one input in one launch (docs/workloads.md, fusion modes): a fused QKV
// projection, gate and up together, with the input's RMS normalisation folded in before the
// products and a residual added in their epilogue. Each PE computes its blocks of every
// product in turn, as one GEMM over the concatenated weights would in this tiling (which
// stages A afresh for every 512 columns of C anyway).
#include "runtime/kernels/gemm.h"
#include "runtime/kernels/registry.h"

#include <fmt/format.h>

namespace kb::runtime {

namespace {

// Arguments: (a, rms_eps, with_bias, with_addend, then per product b, c[, bias][, addend]).
constexpr std::size_t kFirstProduct = 4;

struct Layout {
  bool bias = false, addend = false;
  std::size_t stride = 2;
  std::size_t products = 0;
};

Layout layout(std::size_t args, std::int64_t with_bias, std::int64_t with_addend) {
  Layout l{with_bias != 0, with_addend != 0};
  l.stride = 2 + (l.bias ? 1 : 0) + (l.addend ? 1 : 0);
  if (args <= kFirstProduct || (args - kFirstProduct) % l.stride != 0) {
    throw std::invalid_argument(
        fmt::format("gemm_fused: {} arguments do not make whole products of {} (b, c{}{})", args,
                    l.stride, l.bias ? ", bias" : "", l.addend ? ", addend" : ""));
  }
  l.products = (args - kFirstProduct) / l.stride;
  return l;
}

void gemm_fused(KernelContext& k) {
  const TensorView& a = k.tensor(0);
  const double rms_eps = k.float_arg(1);
  const Layout l = layout(k.num_args(), k.int_arg(2), k.int_arg(3));
  std::vector<GemmProduct> products;
  for (std::size_t p = 0; p < l.products; ++p) {
    const std::size_t at = kFirstProduct + p * l.stride;
    products.push_back({&k.tensor(at), &k.tensor(at + 1), l.bias ? &k.tensor(at + 2) : nullptr,
                        l.addend ? &k.tensor(at + 2 + (l.bias ? 1 : 0)) : nullptr});
    check_gemm("gemm_fused", a, products.back());
  }
  for (const GemmProduct& product : products) gemm_own_block(k, a, product, rms_eps);
}

KernelWork work(const std::vector<WorkArg>& args) {
  const Layout l = layout(args.size(), static_cast<std::int64_t>(scalar_arg("gemm_fused", args, 2)),
                          static_cast<std::int64_t>(scalar_arg("gemm_fused", args, 3)));
  const bool normalised = scalar_arg("gemm_fused", args, 1) > 0;
  const TensorShape& a = tensor_arg("gemm_fused", args, 0);
  KernelWork all;
  for (std::size_t p = 0; p < l.products; ++p) {
    const std::size_t at = kFirstProduct + p * l.stride;
    auto optional = [&](bool present, std::size_t i) {
      return present ? &tensor_arg("gemm_fused", args, i) : nullptr;
    };
    const TensorShape& b = tensor_arg("gemm_fused", args, at);
    const TensorShape& c = tensor_arg("gemm_fused", args, at + 1);
    const TensorShape* bias = optional(l.bias, at + 2);
    const KernelWork w =
        gemm_work(a, b, c, bias, optional(l.addend, at + 2 + (l.bias ? 1 : 0)), normalised);
    for (const auto& [dtype, flops] : w.flops) all.flops[dtype] += flops;
    all.vector_ops += w.vector_ops;
    for (const auto& [memory, bytes] : w.bytes) all.bytes[memory] += bytes;
  }
  return all;
}

}  // namespace

KB_REGISTER_KERNEL(gemm_fused,
                   "(a, rms_eps, with_bias, with_addend, b0, c0[, bias0][, addend0], ...)",
                   "c_i = a . b_i for every product in one launch; rms_eps > 0: a's rows RMS-"
                   "normalised first; each epilogue adds its bias row and addend (a residual)",
                   gemm_fused, work);

}  // namespace kb::runtime

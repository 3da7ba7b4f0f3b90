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

// Arguments: (a, rms_eps, with_bias, with_addend, then per product b[, scales], c[, bias]
// [, addend]); a product's scales follow its B when B is quantised codes (gemm.h).
constexpr std::size_t kFirstProduct = 4;

// Where each product's arguments start, and what follows its B.
struct Layout {
  bool bias = false, addend = false;
  std::vector<std::size_t> at;
  std::vector<bool> quantised;
};

// Walks the products; `quantised(i)` says whether argument i, a product's B, is codes.
template <class Quantised>
Layout layout(std::size_t args, std::int64_t with_bias, std::int64_t with_addend,
              Quantised&& quantised) {
  Layout l;
  l.bias = with_bias != 0;
  l.addend = with_addend != 0;
  std::size_t at = kFirstProduct;
  while (at < args) {
    const bool q = quantised(at);
    const std::size_t stride = 2 + (q ? 1 : 0) + (l.bias ? 1 : 0) + (l.addend ? 1 : 0);
    if (at + stride > args) break;
    l.at.push_back(at);
    l.quantised.push_back(q);
    at += stride;
  }
  if (l.at.empty() || at != args) {
    throw std::invalid_argument(
        fmt::format("gemm_fused: {} arguments do not make whole products of (b[, scales], c{}{})",
                    args, l.bias ? ", bias" : "", l.addend ? ", addend" : ""));
  }
  return l;
}

// The argument positions of product p: B, scales (quantised), C, bias, addend.
struct Positions {
  std::size_t b, scales, c, bias, addend;
};
Positions positions(const Layout& l, std::size_t p) {
  const std::size_t b = l.at[p], c = b + (l.quantised[p] ? 2 : 1);
  return {b, b + 1, c, c + 1, c + 1 + (l.bias ? 1 : 0)};
}

void gemm_fused(KernelContext& k) {
  const TensorView& a = k.tensor(0);
  const double rms_eps = k.float_arg(1);
  const Layout l = layout(k.num_args(), k.int_arg(2), k.int_arg(3), [&](std::size_t i) {
    return quantised_b(a.dtype(), k.tensor(i).dtype());
  });
  std::vector<GemmProduct> products;
  for (std::size_t p = 0; p < l.at.size(); ++p) {
    const Positions at = positions(l, p);
    products.push_back({&k.tensor(at.b), &k.tensor(at.c), l.bias ? &k.tensor(at.bias) : nullptr,
                        l.addend ? &k.tensor(at.addend) : nullptr,
                        l.quantised[p] ? &k.tensor(at.scales) : nullptr});
    check_gemm("gemm_fused", a, products.back());
  }
  for (const GemmProduct& product : products) gemm_own_block(k, a, product, rms_eps);
}

KernelWork work(const std::vector<WorkArg>& args) {
  const TensorShape& a = tensor_arg("gemm_fused", args, 0);
  const Layout l = layout(
      args.size(), static_cast<std::int64_t>(scalar_arg("gemm_fused", args, 2)),
      static_cast<std::int64_t>(scalar_arg("gemm_fused", args, 3)),
      [&](std::size_t i) { return quantised_b(a.dtype, tensor_arg("gemm_fused", args, i).dtype); });
  const bool normalised = scalar_arg("gemm_fused", args, 1) > 0;
  KernelWork all;
  for (std::size_t p = 0; p < l.at.size(); ++p) {
    const Positions at = positions(l, p);
    auto optional = [&](bool present, std::size_t i) {
      return present ? &tensor_arg("gemm_fused", args, i) : nullptr;
    };
    all += gemm_work(a, tensor_arg("gemm_fused", args, at.b), tensor_arg("gemm_fused", args, at.c),
                     optional(l.bias, at.bias), optional(l.addend, at.addend), normalised,
                     optional(l.quantised[p], at.scales));
  }
  return all;
}

}  // namespace

KB_REGISTER_KERNEL(
    gemm_fused, "(a, rms_eps, with_bias, with_addend, b0[, scales0], c0[, bias0][, addend0], ...)",
    "c_i = a . b_i for every product in one launch; rms_eps > 0: a's rows RMS-"
    "normalised first; each epilogue adds its bias row and addend (a residual)",
    gemm_fused, work);

}  // namespace kb::runtime

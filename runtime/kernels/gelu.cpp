// out = gelu(x), the exact (erf) form, in f32.
#include "runtime/kernels/pointwise.h"
#include "runtime/kernels/registry.h"

namespace kb::runtime {

namespace {

void gelu(KernelContext& k) {
  pointwise<1>(k, {&k.tensor(0)}, k.tensor(1),
               [&](const auto& t) { return k.gelu(k.cast(t[0], DType::f32)); });
}

// The cast in, gelu, the cast out.
KernelWork work(const std::vector<WorkArg>& args) {
  return pointwise_work("gelu", args, {0}, 1, 3);
}

}  // namespace

KB_REGISTER_KERNEL(gelu, "(x, out)", "out = gelu(x), the exact (erf) form, in f32", gelu, work);

}  // namespace kb::runtime

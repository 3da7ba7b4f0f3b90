// out = silu(gate) * up: the gated MLP's activation (SwiGLU), in f32.
#include "runtime/kernels/pointwise.h"
#include "runtime/kernels/registry.h"

namespace kb::runtime {

namespace {

void silu_mul(KernelContext& k) {
  pointwise<2>(k, {&k.tensor(0), &k.tensor(1)}, k.tensor(2), [&](const auto& t) {
    return k.mul(k.silu(k.cast(t[0], DType::f32)), k.cast(t[1], DType::f32));
  });
}

// Two casts in, silu, multiply, the cast out: four passes the output's dtype can skip one of.
KernelWork work(const std::vector<WorkArg>& args) {
  return pointwise_work("silu_mul", args, {0, 1}, 2, 4);
}

}  // namespace

KB_REGISTER_KERNEL(silu_mul, "(gate, up, out)", "out = silu(gate) * up, in f32", silu_mul, work);

}  // namespace kb::runtime

// out = x + y, elementwise.
#include "runtime/kernels/pointwise.h"
#include "runtime/kernels/registry.h"

namespace kb::runtime {

namespace {

void vector_add(KernelContext& k) {
  pointwise<2>(k, {&k.tensor(0), &k.tensor(1)}, k.tensor(2),
               [&](const auto& t) { return k.add(t[0], t[1]); });
}

KernelWork work(const std::vector<WorkArg>& args) {
  return pointwise_work("vector_add", args, {0, 1}, 2, 1);
}

}  // namespace

KB_REGISTER_KERNEL(vector_add, "(x, y, out)", "out = x + y, elementwise", vector_add, work);

}  // namespace kb::runtime

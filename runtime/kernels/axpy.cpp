// y = alpha * x + y, elementwise.
#include "runtime/kernels/pointwise.h"
#include "runtime/kernels/registry.h"

namespace kb::runtime {

namespace {

void axpy(KernelContext& k) {
  const double alpha = k.float_arg(2);
  pointwise<2>(k, {&k.tensor(0), &k.tensor(1)}, k.tensor(1),
               [&](const auto& t) { return k.add(k.mul(t[0], alpha), t[1]); });
}

// x and y read, y written; a multiply and an add per element.
KernelWork work(const std::vector<WorkArg>& args) {
  return pointwise_work("axpy", args, {0, 1}, 1, 2);
}

}  // namespace

KB_REGISTER_KERNEL(axpy, "(x, y, alpha)", "y = alpha * x + y", axpy, work);

}  // namespace kb::runtime

// out = softmax(x) along each row.
#include "runtime/kernels/registry.h"
#include "runtime/kernels/row_walk.h"

namespace kb::runtime {

namespace {

void softmax(KernelContext& k) {
  const TensorView& x = k.tensor(0);
  const TensorView& out = k.tensor(1);
  require_whole_rows(out, "softmax");
  for_each_own_row_tile(k, x, out, [&](std::int64_t row0, std::int64_t, const Tile& t) {
    const Tile shifted = k.exp(k.sub(t, k.row_max(t)));
    k.store_global_async(out, row0, 0, k.cast(k.div(shifted, k.row_sum(shifted)), out.dtype()));
  });
}

// Row max, subtract, exp, row sum, divide, cast.
KernelWork work(const std::vector<WorkArg>& args) { return row_work("softmax", args, 6); }

}  // namespace

KB_REGISTER_KERNEL(softmax, "(x, out)", "row softmax", softmax, work);

}  // namespace kb::runtime

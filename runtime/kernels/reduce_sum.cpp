// out (rows x 1) = the sum of each row of x.
#include "runtime/kernels/registry.h"
#include "runtime/kernels/row_walk.h"

namespace kb::runtime {

namespace {

void reduce_sum(KernelContext& k) {
  const TensorView& x = k.tensor(0);
  const TensorView& out = k.tensor(1);
  if (out.global_cols() != 1 || out.global_rows() != x.global_rows()) {
    throw std::invalid_argument("reduce_sum: the output must be rows(x) x 1");
  }
  for_each_own_row_tile(k, x, out, [&](std::int64_t row0, std::int64_t, const Tile& t) {
    k.store_global_async(out, row0, 0, k.cast(k.row_sum(k.cast(t, out.dtype())), out.dtype()));
  });
}

// Cast and row sum over x.
KernelWork work(const std::vector<WorkArg>& args) { return row_work("reduce_sum", args, 2); }

}  // namespace

KB_REGISTER_KERNEL(reduce_sum, "(x, out)", "out[r] = sum of row r of x", reduce_sum, work);

}  // namespace kb::runtime

// dst (n x m) = src (m x n) transposed.
#include "runtime/kernels/pointwise.h"
#include "runtime/kernels/registry.h"

#include <fmt/format.h>

namespace kb::runtime {

namespace {

void transpose_kernel(KernelContext& k) {
  const TensorView& src = k.tensor(0);
  const TensorView& dst = k.tensor(1);
  if (src.global_rows() != dst.global_cols() || src.global_cols() != dst.global_rows()) {
    throw std::invalid_argument(fmt::format("transpose: {} x {} into {} x {}", src.global_rows(),
                                            src.global_cols(), dst.global_rows(),
                                            dst.global_cols()));
  }
  for_each_own_tile(dst, kTileElements, [&](const TileSpan& s) {
    const Tile t = k.wait(k.load_global_async(src, s.col0, s.row0, s.cols, s.rows));
    k.wait_until(k.store_global_async(dst, s.row0, s.col0, k.cast(k.transpose(t), dst.dtype())));
  });
}

// Each element read, moved across the tile once, and written.
KernelWork work(const std::vector<WorkArg>& args) {
  return pointwise_work("transpose", args, {0}, 1, 1);
}

}  // namespace

KB_REGISTER_KERNEL(transpose, "(src, dst)", "dst = src^T", transpose_kernel, work);

}  // namespace kb::runtime

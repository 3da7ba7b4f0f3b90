#include "runtime/kernels/block_walk.h"
#include "runtime/kernels/registry.h"

#include <fmt/format.h>

namespace kb::runtime {

namespace {

// dst = src, whatever the two placements (src blocks are read where they are).
void memcpy_kernel(KernelContext& k) {
  const TensorView& src = k.tensor(0);
  const TensorView& dst = k.tensor(1);
  if (src.dtype() != dst.dtype() || src.global_rows() != dst.global_rows() ||
      src.global_cols() != dst.global_cols()) {
    throw std::invalid_argument("memcpy: source and destination differ in shape or dtype");
  }
  for_each_own_tile(dst, kTileElements, [&](const TileSpan& s) {
    const Tile t = k.wait(k.load_global_async(src, s.row0, s.col0, s.rows, s.cols));
    k.wait_until(k.store_global_async(dst, s.row0, s.col0, t));
  });
}

// dst (n x m) = src (m x n) transposed.
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

}  // namespace

void register_copy_kernels(KernelRegistry& registry) {
  registry.add(
      {"memcpy", "(src, dst)", "dst = src, any placement to any placement", memcpy_kernel});
  registry.add({"transpose", "(src, dst)", "dst = src^T", transpose_kernel});
}

}  // namespace kb::runtime

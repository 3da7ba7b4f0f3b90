// dst = src, whatever the two placements (src blocks are read where they are).
#include "runtime/kernels/block_walk.h"
#include "runtime/kernels/registry.h"

namespace kb::runtime {

namespace {

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

KernelWork work(const std::vector<WorkArg>& args) {
  KernelWork w;
  w.moves(tensor_arg("memcpy", args, 0));
  w.moves(tensor_arg("memcpy", args, 1));
  return w;
}

}  // namespace

KB_REGISTER_KERNEL(memcpy, "(src, dst)", "dst = src, any placement to any placement", memcpy_kernel,
                   work);

}  // namespace kb::runtime

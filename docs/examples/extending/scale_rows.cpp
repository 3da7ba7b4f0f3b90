// out[r, c] = x[r, c] * s[r]: every row of x scaled by its own factor. A new kernel is this
// one file: the kernel, the work it does, and its registration.
#include "runtime/kernels/pointwise.h"
#include "runtime/kernels/registry.h"

namespace kb::runtime {

namespace {

// Args: (x, s, out); s is rows(x) x 1, read where it lives for the rows this PE owns.
void scale_rows(KernelContext& k) {
  const TensorView& x = k.tensor(0);
  const TensorView& s = k.tensor(1);
  const TensorView& out = k.tensor(2);
  for_each_own_tile(out, kTileElements, [&](const TileSpan& t) {
    PendingTile values = k.load_global_async(x, t.row0, t.col0, t.rows, t.cols);
    PendingTile factors = k.load_global_async(s, t.row0, 0, t.rows, 1);
    const Tile scaled = k.mul(k.wait(std::move(values)), k.wait(std::move(factors)));
    k.store_global_async(out, t.row0, t.col0, k.cast(scaled, out.dtype()));
  });
}

// x and s read, out written; a multiply and the cast out per element.
KernelWork work(const std::vector<WorkArg>& args) {
  return pointwise_work("scale_rows", args, {0, 1}, 2, 2);
}

}  // namespace

KB_REGISTER_KERNEL(scale_rows, "(x, s, out)", "out = x scaled row by row by s", scale_rows, work);

}  // namespace kb::runtime

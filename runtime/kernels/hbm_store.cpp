// Writes the PE's own block of `t` (zeros), tile by tile (a trace's memory store).
#include "runtime/kernels/registry.h"
#include "runtime/kernels/trace_blocks.h"

namespace kb::runtime {

namespace {

void hbm_store_kernel(KernelContext& k) {
  const TensorView& t = k.tensor(0);
  for_each_own_tile(t, kTileElements, [&](const TileSpan& s) {
    k.wait_until(k.store_global_async(t, s.row0, s.col0, k.full(s.rows, s.cols, t.dtype(), 0.0)));
  });
}

KernelWork work(const std::vector<WorkArg>& args) { return block_work("hbm_store", args); }

}  // namespace

KB_REGISTER_KERNEL(hbm_store, "(t)", "writes each PE's own block of t", hbm_store_kernel, work);

}  // namespace kb::runtime

// Reads the PE's own block of `t` from memory, tile by tile (a trace's memory load).
#include "runtime/kernels/registry.h"
#include "runtime/kernels/trace_blocks.h"

namespace kb::runtime {

namespace {

void hbm_load_kernel(KernelContext& k) {
  const TensorView& t = k.tensor(0);
  for_each_own_tile(t, kTileElements, [&](const TileSpan& s) {
    k.wait(k.load_global_async(t, s.row0, s.col0, s.rows, s.cols));
  });
}

KernelWork work(const std::vector<WorkArg>& args) { return block_work("hbm_load", args); }

}  // namespace

KB_REGISTER_KERNEL(hbm_load, "(t)", "reads each PE's own block of t", hbm_load_kernel, work);

}  // namespace kb::runtime

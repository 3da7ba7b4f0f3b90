// Sends the PE's own block of `t` to rank `peer` of the PE's installed group over the IPCQ,
// tile by tile (a trace's point-to-point send).
#include "runtime/kernels/registry.h"
#include "runtime/kernels/trace_blocks.h"

namespace kb::runtime {

namespace {

void send_block_kernel(KernelContext& k) {
  const TensorView& t = k.tensor(0);
  const auto peer = static_cast<std::uint32_t>(k.int_arg(1));
  for_each_own_tile(t, kTileElements, [&](const TileSpan& s) {
    k.send(peer, k.wait(k.load_global_async(t, s.row0, s.col0, s.rows, s.cols)));
  });
}

KernelWork work(const std::vector<WorkArg>& args) { return block_work("send_block", args); }

}  // namespace

KB_REGISTER_KERNEL(send_block, "(t, peer)", "sends each PE's own block of t to rank peer (IPCQ)",
                   send_block_kernel, work);

}  // namespace kb::runtime

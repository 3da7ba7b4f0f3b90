// Receives from rank `peer` what send_block sends, into the PE's own block of `t`.
#include "runtime/kernels/registry.h"
#include "runtime/kernels/trace_blocks.h"

namespace kb::runtime {

namespace {

void recv_block_kernel(KernelContext& k) {
  const TensorView& t = k.tensor(0);
  const auto peer = static_cast<std::uint32_t>(k.int_arg(1));
  for_each_own_tile(t, kTileElements, [&](const TileSpan& s) {
    k.wait_until(k.store_global_async(t, s.row0, s.col0, k.recv(peer, s.rows, s.cols, t.dtype())));
  });
}

KernelWork work(const std::vector<WorkArg>& args) { return block_work("recv_block", args); }

}  // namespace

KB_REGISTER_KERNEL(recv_block, "(t, peer)", "receives each PE's own block of t from rank peer",
                   recv_block_kernel, work);

}  // namespace kb::runtime

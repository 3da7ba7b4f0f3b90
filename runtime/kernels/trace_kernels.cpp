// Kernels that stand for work a trace records but does not describe element by element
// (runtime/trace): a PE held for a time, HBM traffic of a given size, and a point-to-point
// transfer over the IPCQ.
#include "runtime/kernels/block_walk.h"
#include "runtime/kernels/registry.h"

#include <stdexcept>

namespace kb::runtime {

namespace {

// Holds the PE for `ps` picoseconds: compute whose duration is known, not its operations.
void busy_kernel(KernelContext& k) {
  const std::int64_t ps = k.int_arg(0);
  if (ps < 0) throw std::invalid_argument("busy: the time must be >= 0 ps");
  k.wait_until(k.pe().local_time_ps() + static_cast<models::Picoseconds>(ps));
}

// Reads the PE's own block of `t` from memory, tile by tile.
void hbm_load_kernel(KernelContext& k) {
  const TensorView& t = k.tensor(0);
  for_each_own_tile(t, kTileElements, [&](const TileSpan& s) {
    k.wait(k.load_global_async(t, s.row0, s.col0, s.rows, s.cols));
  });
}

// Writes the PE's own block of `t` (zeros), tile by tile.
void hbm_store_kernel(KernelContext& k) {
  const TensorView& t = k.tensor(0);
  for_each_own_tile(t, kTileElements, [&](const TileSpan& s) {
    k.wait_until(k.store_global_async(t, s.row0, s.col0, k.full(s.rows, s.cols, t.dtype(), 0.0)));
  });
}

// Sends the PE's own block of `t` to rank `peer` of the PE's installed group, tile by tile.
void send_block_kernel(KernelContext& k) {
  const TensorView& t = k.tensor(0);
  const auto peer = static_cast<std::uint32_t>(k.int_arg(1));
  for_each_own_tile(t, kTileElements, [&](const TileSpan& s) {
    k.send(peer, k.wait(k.load_global_async(t, s.row0, s.col0, s.rows, s.cols)));
  });
}

// Receives from rank `peer` what send_block sends, into the PE's own block of `t`.
void recv_block_kernel(KernelContext& k) {
  const TensorView& t = k.tensor(0);
  const auto peer = static_cast<std::uint32_t>(k.int_arg(1));
  for_each_own_tile(t, kTileElements, [&](const TileSpan& s) {
    k.wait_until(k.store_global_async(t, s.row0, s.col0, k.recv(peer, s.rows, s.cols, t.dtype())));
  });
}

}  // namespace

void register_trace_kernels(KernelRegistry& registry) {
  registry.add({"busy", "(ps)", "holds each PE it runs on for ps picoseconds", busy_kernel});
  registry.add({"hbm_load", "(t)", "reads each PE's own block of t", hbm_load_kernel});
  registry.add({"hbm_store", "(t)", "writes each PE's own block of t", hbm_store_kernel});
  registry.add({"send_block", "(t, peer)", "sends each PE's own block of t to rank peer (IPCQ)",
                send_block_kernel});
  registry.add({"recv_block", "(t, peer)", "receives each PE's own block of t from rank peer",
                recv_block_kernel});
}

}  // namespace kb::runtime

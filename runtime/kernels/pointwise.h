#pragma once
// Elementwise kernels: out = op(inputs...) over the PE's own block of `out`, and their work.

#include "runtime/kernels/block_walk.h"
#include "runtime/kernels/kernel_work.h"

#include <array>

namespace kb::runtime {

// Software-pipelined: the loads of the next tile are in flight while this one is computed,
// results are cast to `out`'s dtype, and stores are not waited for (the launch fences).
template <std::size_t N, class Op>
void pointwise(KernelContext& k, const std::array<const TensorView*, N>& inputs,
               const TensorView& out, Op op) {
  std::vector<TileSpan> spans;
  for_each_own_tile(out, kTileElements, [&](const TileSpan& s) { spans.push_back(s); });
  auto fetch = [&](const TileSpan& s) {
    std::array<PendingTile, N> loads;
    for (std::size_t i = 0; i < N; ++i)
      loads[i] = k.load_global_async(*inputs[i], s.row0, s.col0, s.rows, s.cols);
    return loads;
  };
  if (spans.empty()) return;
  auto in_flight = fetch(spans[0]);
  for (std::size_t i = 0; i < spans.size(); ++i) {
    auto current = std::move(in_flight);
    if (i + 1 < spans.size()) in_flight = fetch(spans[i + 1]);
    std::array<Tile, N> tiles;
    for (std::size_t j = 0; j < N; ++j) tiles[j] = k.wait(std::move(current[j]));
    Tile result = op(tiles);
    if (result.dtype() != out.dtype()) result = k.cast(result, out.dtype());
    k.store_global_async(out, spans[i].row0, spans[i].col0, result);
  }
}

// The work of a pointwise kernel: arguments `inputs` read, `out` written, `passes` vector
// operations per output element.
inline KernelWork pointwise_work(const std::string& kernel, const std::vector<WorkArg>& args,
                                 std::initializer_list<std::size_t> inputs, std::size_t out,
                                 double passes) {
  KernelWork w;
  for (std::size_t i : inputs) w.moves(tensor_arg(kernel, args, i));
  w.moves(tensor_arg(kernel, args, out));
  w.vector(tensor_arg(kernel, args, out), passes);
  return w;
}

}  // namespace kb::runtime

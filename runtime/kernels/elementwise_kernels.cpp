#include "runtime/kernels/block_walk.h"
#include "runtime/kernels/registry.h"

#include <array>

namespace kb::runtime {

namespace {

// out = op(inputs...) over the PE's own block of `out` (cast to its dtype), software-pipelined: the
// loads of the next tile are in flight while this one is computed, and stores are not waited for
// (the launch fences at the end).
template <std::size_t N, class Op>
void pipelined(KernelContext& k, const std::array<const TensorView*, N>& inputs,
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

// out = x + y
void vector_add(KernelContext& k) {
  pipelined<2>(k, {&k.tensor(0), &k.tensor(1)}, k.tensor(2),
               [&](const auto& t) { return k.add(t[0], t[1]); });
}

// y = alpha * x + y
void axpy(KernelContext& k) {
  const double alpha = k.float_arg(2);
  pipelined<2>(k, {&k.tensor(0), &k.tensor(1)}, k.tensor(1),
               [&](const auto& t) { return k.add(k.mul(t[0], alpha), t[1]); });
}

// out = silu(gate) * up: the gated MLP's activation (SwiGLU)
void silu_mul(KernelContext& k) {
  pipelined<2>(k, {&k.tensor(0), &k.tensor(1)}, k.tensor(2), [&](const auto& t) {
    return k.mul(k.silu(k.cast(t[0], DType::f32)), k.cast(t[1], DType::f32));
  });
}

// out = gelu(x)
void gelu(KernelContext& k) {
  pipelined<1>(k, {&k.tensor(0)}, k.tensor(1),
               [&](const auto& t) { return k.gelu(k.cast(t[0], DType::f32)); });
}

}  // namespace

void register_elementwise_kernels(KernelRegistry& registry) {
  registry.add({"vector_add", "(x, y, out)", "out = x + y, elementwise", vector_add});
  registry.add({"axpy", "(x, y, alpha)", "y = alpha * x + y", axpy});
  registry.add({"silu_mul", "(gate, up, out)", "out = silu(gate) * up, in f32", silu_mul});
  registry.add({"gelu", "(x, out)", "out = gelu(x), the exact (erf) form, in f32", gelu});
}

}  // namespace kb::runtime

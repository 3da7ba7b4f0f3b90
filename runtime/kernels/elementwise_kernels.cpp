#include "runtime/kernels/block_walk.h"
#include "runtime/kernels/registry.h"

namespace kb::runtime {

namespace {

// out = op(x, y) over the PE's own block of `out`, software-pipelined: the loads of the
// next tile are in flight while this one is computed, and stores are not waited for
// (the launch fences at the end).
template <class Op>
void pipelined_binary(KernelContext& k, const TensorView& x, const TensorView& y,
                      const TensorView& out, Op op) {
  std::vector<TileSpan> spans;
  for_each_own_tile(out, kTileElements, [&](const TileSpan& s) { spans.push_back(s); });
  auto fetch = [&](const TileSpan& s) {
    return std::make_pair(k.load_global_async(x, s.row0, s.col0, s.rows, s.cols),
                          k.load_global_async(y, s.row0, s.col0, s.rows, s.cols));
  };
  if (spans.empty()) return;
  auto in_flight = fetch(spans[0]);
  for (std::size_t i = 0; i < spans.size(); ++i) {
    auto current = std::move(in_flight);
    if (i + 1 < spans.size()) in_flight = fetch(spans[i + 1]);
    const Tile a = k.wait(std::move(current.first));
    const Tile b = k.wait(std::move(current.second));
    k.store_global_async(out, spans[i].row0, spans[i].col0, op(a, b));
  }
}

// out = x + y
void vector_add(KernelContext& k) {
  pipelined_binary(k, k.tensor(0), k.tensor(1), k.tensor(2),
                   [&](const Tile& a, const Tile& b) { return k.add(a, b); });
}

// y = alpha * x + y
void axpy(KernelContext& k) {
  const double alpha = k.float_arg(2);
  pipelined_binary(k, k.tensor(0), k.tensor(1), k.tensor(1),
                   [&](const Tile& a, const Tile& b) { return k.add(k.mul(a, alpha), b); });
}

}  // namespace

void register_elementwise_kernels(KernelRegistry& registry) {
  registry.add({"vector_add", "(x, y, out)", "out = x + y, elementwise", vector_add});
  registry.add({"axpy", "(x, y, alpha)", "y = alpha * x + y", axpy});
}

}  // namespace kb::runtime

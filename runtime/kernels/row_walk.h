#pragma once
// Row kernels (softmax, norms, reductions): a PE works on whole rows of its own block.

#include "runtime/kernels/block_walk.h"
#include "runtime/kernels/kernel_work.h"

#include <fmt/format.h>

namespace kb::runtime {

// Calls fn(row0, rows, tile) over the PE's own rows of `out`, each tile holding every
// column of `x` for those rows.
template <class Fn>
void for_each_own_row_tile(KernelContext& k, const TensorView& x, const TensorView& out, Fn&& fn) {
  if (!out.own_block()) return;
  const Block& own = *out.own_block();
  const std::int64_t cols = x.global_cols();
  const std::int64_t rows = std::max<std::int64_t>(1, kTileElements / cols);
  for (std::int64_t r = 0; r < own.rows; r += rows) {
    const std::int64_t row0 = out.row0() + own.row0 + r;
    const std::int64_t n = std::min(rows, own.rows - r);
    fn(row0, n, k.wait(k.load_global_async(x, row0, 0, n, cols)));
  }
}

inline void require_whole_rows(const TensorView& out, const char* kernel) {
  if (out.own_block() && out.own_block()->cols != out.global_cols()) {
    throw std::invalid_argument(fmt::format(
        "{}: the output must keep whole rows on each PE (no column_wise split)", kernel));
  }
}

// The work of a row kernel (x, out, ...): x read, out written, `passes` vector passes over x.
inline KernelWork row_work(const std::string& kernel, const std::vector<WorkArg>& args,
                           double passes) {
  KernelWork w;
  w.moves(tensor_arg(kernel, args, 0));
  w.moves(tensor_arg(kernel, args, 1));
  w.vector(tensor_arg(kernel, args, 0), passes);
  return w;
}

// out = (x - c) / sqrt(mean((x - c)^2) + eps) along each row, in f32: c is the row's mean
// when `centre` (layernorm), 0 otherwise (rmsnorm). Neither scales: the lowering folds a
// norm's weight into the projection that follows. Args: (x, out, eps).
inline void normalise_rows(KernelContext& k, const char* kernel, bool centre) {
  const TensorView& x = k.tensor(0);
  const TensorView& out = k.tensor(1);
  const double eps = k.float_arg(2);
  require_whole_rows(out, kernel);
  for_each_own_row_tile(k, x, out, [&](std::int64_t row0, std::int64_t, const Tile& t) {
    const Tile xf = k.cast(t, DType::f32);
    const double inv_n = 1.0 / static_cast<double>(xf.cols());
    const Tile centred = centre ? k.sub(xf, k.mul(k.row_sum(xf), inv_n)) : xf;
    const Tile var = k.mul(k.row_sum(k.mul(centred, centred)), inv_n);
    const Tile y = k.div(centred, k.sqrt(k.add(var, eps)));
    k.store_global_async(out, row0, 0, k.cast(y, out.dtype()));
  });
}

}  // namespace kb::runtime

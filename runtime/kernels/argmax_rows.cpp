// Greedy sampling: out[r] = the column of row r's largest value (the first of equals) among
// its first `cols` columns (default: all; an LM head's padding lies beyond), as an i32. One
// vector pass over those columns for the maximum; the index is where it was found.
#include "runtime/kernels/registry.h"
#include "runtime/kernels/row_walk.h"

namespace kb::runtime {

namespace {

void argmax_rows(KernelContext& k) {
  const TensorView& x = k.tensor(0);
  const TensorView& out = k.tensor(1);
  if (out.global_rows() != x.global_rows() || out.global_cols() != 1 || out.dtype() != DType::i32) {
    throw std::invalid_argument(fmt::format("argmax_rows: {} rows into a {} x {} {} output",
                                            x.global_rows(), out.global_rows(), out.global_cols(),
                                            to_string(out.dtype())));
  }
  const std::int64_t cols = k.num_args() > 2 ? k.int_arg(2) : x.global_cols();
  if (cols < 1 || cols > x.global_cols()) {
    throw std::invalid_argument(
        fmt::format("argmax_rows: {} columns of {}", cols, x.global_cols()));
  }
  require_whole_rows(out, "argmax_rows");
  if (!out.own_block()) return;
  const Block& own = *out.own_block();
  const std::int64_t per_tile = std::max<std::int64_t>(1, kTileElements / cols);
  for (std::int64_t r0 = 0; r0 < own.rows; r0 += per_tile) {
    const std::int64_t row0 = out.row0() + own.row0 + r0;
    const std::int64_t n = std::min(per_tile, own.rows - r0);
    const Tile t = k.wait(k.load_global_async(x, row0, 0, n, cols));
    const Tile best = k.row_max(t);
    Tile index = k.full(n, 1, DType::i32, 0.0);
    if (index.has_values()) {
      for (std::int64_t r = 0; r < n; ++r) {
        std::int64_t c = 0;
        while (c + 1 < t.cols() && t.at(r, c) != best.at(r, 0)) ++c;
        index.set(r, 0, static_cast<double>(c));
      }
    }
    k.store_global_async(out, row0, 0, index);
  }
}

// The columns considered, read once with one pass; the indices written.
KernelWork work(const std::vector<WorkArg>& args) {
  const TensorShape& x = tensor_arg("argmax_rows", args, 0);
  const TensorShape& out = tensor_arg("argmax_rows", args, 1);
  const double cols =
      args.size() > 2 ? scalar_arg("argmax_rows", args, 2) : static_cast<double>(x.cols());
  TensorShape considered = x;
  considered.shape = {static_cast<std::int64_t>(x.rows()), static_cast<std::int64_t>(cols)};
  KernelWork w;
  w.moves(considered);
  w.moves(out);
  w.vector(considered, 1);
  return w;
}

}  // namespace

KB_REGISTER_KERNEL(argmax_rows, "(x, out[, cols])",
                   "greedy sampling: out (rows x 1, i32) = each row's first largest column "
                   "among the first cols",
                   argmax_rows, work);

}  // namespace kb::runtime

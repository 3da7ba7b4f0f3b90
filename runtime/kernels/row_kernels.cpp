#include "runtime/kernels/block_walk.h"
#include "runtime/kernels/registry.h"

#include <fmt/format.h>

namespace kb::runtime {

namespace {

// The PE's own rows of `out` with every column of `x`: row kernels need whole rows.
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

void require_whole_rows(const TensorView& out, const char* kernel) {
  if (out.own_block() && out.own_block()->cols != out.global_cols()) {
    throw std::invalid_argument(fmt::format(
        "{}: the output must keep whole rows on each PE (no column_wise split)", kernel));
  }
}

// out = softmax(x) along each row.
void softmax(KernelContext& k) {
  const TensorView& x = k.tensor(0);
  const TensorView& out = k.tensor(1);
  require_whole_rows(out, "softmax");
  for_each_own_row_tile(k, x, out, [&](std::int64_t row0, std::int64_t, const Tile& t) {
    const Tile shifted = k.exp(k.sub(t, k.row_max(t)));
    k.store_global_async(out, row0, 0, k.cast(k.div(shifted, k.row_sum(shifted)), out.dtype()));
  });
}

// out = (x - c) / sqrt(mean((x - c)^2) + eps) along each row, in f32: c is the row's mean
// for layernorm, 0 for rmsnorm. Neither scales: the lowering folds a norm's weight into the
// projection that follows.
void normalise_rows(KernelContext& k, const char* kernel, bool centre) {
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

void layernorm(KernelContext& k) { normalise_rows(k, "layernorm", true); }
void rmsnorm(KernelContext& k) { normalise_rows(k, "rmsnorm", false); }

// out (rows x 1) = the sum of each row of x.
void reduce_sum(KernelContext& k) {
  const TensorView& x = k.tensor(0);
  const TensorView& out = k.tensor(1);
  if (out.global_cols() != 1 || out.global_rows() != x.global_rows()) {
    throw std::invalid_argument("reduce_sum: the output must be rows(x) x 1");
  }
  for_each_own_row_tile(k, x, out, [&](std::int64_t row0, std::int64_t, const Tile& t) {
    k.store_global_async(out, row0, 0, k.cast(k.row_sum(k.cast(t, out.dtype())), out.dtype()));
  });
}

}  // namespace

void register_row_kernels(KernelRegistry& registry) {
  registry.add({"softmax", "(x, out)", "row softmax", softmax});
  registry.add({"layernorm", "(x, out, eps)", "row layer normalisation (no affine)", layernorm});
  registry.add({"rmsnorm", "(x, out, eps)", "row RMS normalisation (no scale)", rmsnorm});
  registry.add({"reduce_sum", "(x, out)", "out[r] = sum of row r of x", reduce_sum});
}

}  // namespace kb::runtime

// Rotary position embedding (RoPE) in the rotate-half form of GPT-NeoX and Llama: for each
// head, with x1, x2 its two halves and angle(p, j) = p . theta^(-2j / head_dim) at the
// token's position p,
//   out1 = x1 cos - x2 sin,   out2 = x2 cos + x1 sin,
// computed in f32 and stored in out's dtype.
#include "runtime/kernels/pointwise.h"
#include "runtime/kernels/registry.h"

#include <fmt/format.h>

#include <cmath>

namespace kb::runtime {

namespace {

// Args: (x, out, seq_q, position0, head_dim, theta); x and out [batch * seq_q, heads *
// head_dim] token-major, row r at position position0 + r % seq_q. Each PE rotates the heads
// its own block of out touches and stores its part of them.
void rope(KernelContext& k) {
  const TensorView& x = k.tensor(0);
  const TensorView& out = k.tensor(1);
  const std::int64_t seq_q = k.int_arg(2), position0 = k.int_arg(3), d = k.int_arg(4);
  const double theta = k.float_arg(5);
  if (seq_q <= 0 || d <= 0 || d % 2 != 0 || x.global_cols() % d != 0 ||
      x.global_rows() % seq_q != 0 || out.global_rows() != x.global_rows() ||
      out.global_cols() != x.global_cols() || theta <= 0) {
    throw std::invalid_argument(fmt::format(
        "rope: {} x {} into {} x {} with seq_q {}, head_dim {} (even, dividing the columns), "
        "theta {}",
        x.global_rows(), x.global_cols(), out.global_rows(), out.global_cols(), seq_q, d, theta));
  }
  const std::int64_t half = d / 2;
  for_each_own_tile(out, kTileElements / 4, [&](const TileSpan& s) {
    Tile angle = k.full(s.rows, half, DType::f32, 0.0);
    if (angle.has_values()) {
      for (std::int64_t r = 0; r < s.rows; ++r) {
        const auto position = static_cast<double>(position0 + (s.row0 + r) % seq_q);
        for (std::int64_t j = 0; j < half; ++j) {
          angle.set(
              r, j,
              position * std::pow(theta, -2.0 * static_cast<double>(j) / static_cast<double>(d)));
        }
      }
    }
    const Tile cos = k.cos(angle), sin = k.sin(angle);
    // Every head's halves in flight at once, then each rotated as it is needed.
    const std::int64_t first_head = s.col0 / d, end_head = (s.col0 + s.cols + d - 1) / d;
    std::vector<PendingTile> halves_in;
    for (std::int64_t head = first_head; head < end_head; ++head) {
      halves_in.push_back(k.load_global_async(x, s.row0, head * d, s.rows, half));
      halves_in.push_back(k.load_global_async(x, s.row0, head * d + half, s.rows, half));
    }
    for (std::int64_t head = first_head; head < end_head; ++head) {
      const std::size_t at = static_cast<std::size_t>(2 * (head - first_head));
      const Tile x1 = k.cast(k.wait(std::move(halves_in[at])), DType::f32);
      const Tile x2 = k.cast(k.wait(std::move(halves_in[at + 1])), DType::f32);
      const Tile halves[2] = {k.sub(k.mul(x1, cos), k.mul(x2, sin)),
                              k.add(k.mul(x2, cos), k.mul(x1, sin))};
      for (int h = 0; h < 2; ++h) {
        // The part of this half inside the span.
        const std::int64_t begin = std::max(s.col0, head * d + h * half);
        const std::int64_t end = std::min(s.col0 + s.cols, head * d + (h + 1) * half);
        if (begin >= end) continue;
        const Tile part = halves[h].block(0, begin - head * d - h * half, s.rows, end - begin);
        k.store_global_async(out, s.row0, begin, k.cast(part, out.dtype()));
      }
    }
  });
}

// x read, out written; the rotation's multiplies and adds, casts in and out: five passes.
KernelWork work(const std::vector<WorkArg>& args) {
  return pointwise_work("rope", args, {0}, 1, 5);
}

}  // namespace

KB_REGISTER_KERNEL(rope, "(x, out, seq_q, position0, head_dim, theta)",
                   "rotary position embedding, rotate-half form, per head", rope, work);

}  // namespace kb::runtime

#pragma once
// Walking the block of an output a PE owns, tile by tile.

#include "runtime/kernel/kernel_context.h"

namespace kb::runtime {

struct TileSpan {
  std::int64_t row0, col0, rows, cols;  // global coordinates
};

// Calls `fn(span)` for tiles of at most `max_elements` covering the calling PE's own block
// of `out` (nothing when it owns none). Whole rows are kept together when they fit.
template <class Fn>
void for_each_own_tile(const TensorView& out, std::int64_t max_elements, Fn&& fn) {
  if (!out.own_block()) return;
  const Block& own = *out.own_block();
  const std::int64_t cols = std::min(own.cols, max_elements);
  const std::int64_t rows = std::max<std::int64_t>(1, max_elements / cols);
  for (std::int64_t r = 0; r < own.rows; r += rows) {
    for (std::int64_t c = 0; c < own.cols; c += cols) {
      fn(TileSpan{out.row0() + own.row0 + r, out.col0() + own.col0 + c,
                  std::min(rows, own.rows - r), std::min(cols, own.cols - c)});
    }
  }
}

// Elements per tile the builtins use: 64 Ki (256 KiB of f32), a comfortable TCM share.
constexpr std::int64_t kTileElements = 64 * 1024;

}  // namespace kb::runtime

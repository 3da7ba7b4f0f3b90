#include "testbenches/examples/scaled_add.h"

#include <algorithm>

namespace kb::examples {

using namespace kb::runtime;

void scaled_add(KernelContext& k) {
  const TensorView& x = k.tensor(0);  // cube-local views (docs/runtime.md, ADR 0005)
  const TensorView& y = k.tensor(1);
  const TensorView& out = k.tensor(2);
  const double alpha = k.float_arg(3);   // scalars arrive as given
  if (!out.own_block()) return;          // this PE holds none of `out`
  const Block& mine = *out.own_block();  // the block this PE owns, in view coordinates

  constexpr std::int64_t kRows = 32;  // 32 rows at a time
  for (std::int64_t r = mine.row0; r < mine.row0 + mine.rows; r += kRows) {
    const std::int64_t rows = std::min(kRows, mine.row0 + mine.rows - r);
    // Issue both loads, then wait: the two transfers overlap.
    PendingTile a = k.load_async(x, r, mine.col0, rows, mine.cols);
    PendingTile b = k.load_async(y, r, mine.col0, rows, mine.cols);
    const Tile sum = k.add(k.mul(k.wait(std::move(a)), alpha), k.wait(std::move(b)));
    k.store_async(out, r, mine.col0, sum);  // the launch waits for stores at the end
  }
}

}  // namespace kb::examples

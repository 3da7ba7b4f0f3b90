#include "runtime/kernel/tensor_view.h"

#include <fmt/format.h>

#include <algorithm>

namespace kb::runtime {

TensorView::TensorView(const Tensor& tensor, std::uint32_t sip, std::uint32_t cube,
                       std::uint32_t pe)
    : name_(tensor.name()),
      dtype_(tensor.dtype()),
      global_rows_(static_cast<std::int64_t>(tensor.placement().rows)),
      global_cols_(static_cast<std::int64_t>(tensor.placement().cols)) {
  std::vector<const DeviceShard*> here;
  for (const DeviceShard& s : tensor.shards()) {
    if (s.sip == sip && s.cube == cube) here.push_back(&s);
  }
  if (here.empty()) return;
  auto as_int = [](std::uint64_t v) { return static_cast<std::int64_t>(v); };
  std::int64_t row_end = 0, col_end = 0;
  row0_ = col0_ = std::numeric_limits<std::int64_t>::max();
  for (const DeviceShard* s : here) {
    row0_ = std::min(row0_, as_int(s->row_begin));
    col0_ = std::min(col0_, as_int(s->col_begin));
    row_end = std::max(row_end, as_int(s->row_begin + s->rows));
    col_end = std::max(col_end, as_int(s->col_begin + s->cols));
  }
  rows_ = row_end - row0_;
  cols_ = col_end - col0_;
  block_rows_ = as_int(here.front()->rows);
  block_cols_ = as_int(here.front()->cols);
  grid_cols_ = cols_ / block_cols_;
  block_va_.assign(static_cast<std::size_t>((rows_ / block_rows_) * grid_cols_), 0);
  for (const DeviceShard* s : here) {
    const std::int64_t br = (as_int(s->row_begin) - row0_) / block_rows_;
    const std::int64_t bc = (as_int(s->col_begin) - col0_) / block_cols_;
    block_va_[static_cast<std::size_t>(br * grid_cols_ + bc)] = tensor.va_base() + s->offset_bytes;
    if (s->pe == pe) {
      own_ = Block{as_int(s->row_begin) - row0_, as_int(s->col_begin) - col0_, block_rows_, block_cols_};
    }
  }
}

std::uint64_t TensorView::address(std::int64_t r, std::int64_t c) const {
  if (r < 0 || c < 0 || r >= rows_ || c >= cols_) {
    throw std::out_of_range(fmt::format("element ({}, {}) is outside the {} x {} view of '{}'", r,
                                        c, rows_, cols_, name_));
  }
  const std::int64_t br = r / block_rows_;
  const std::int64_t bc = c / block_cols_;
  const std::int64_t in_block = (r - br * block_rows_) * block_cols_ + (c - bc * block_cols_);
  return block_va_[static_cast<std::size_t>(br * grid_cols_ + bc)] +
         static_cast<std::uint64_t>(in_block) * itemsize();
}

std::int64_t TensorView::contiguous(std::int64_t r, std::int64_t c) const {
  (void)address(r, c);  // range check
  return block_cols_ - c % block_cols_;
}

}  // namespace kb::runtime

#include "runtime/kernel/tensor_view.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace kb::runtime {

namespace {
std::int64_t as_int(std::uint64_t v) { return static_cast<std::int64_t>(v); }
}  // namespace

TensorLayout::TensorLayout(const Tensor& tensor, std::uint32_t sip) : name_(tensor.name()) {
  const Placement& p = tensor.placement();
  const DeviceShard& first = tensor.shards().front();
  block_rows_ = as_int(first.rows);
  block_cols_ = as_int(first.cols);
  grid_cols_ = as_int(p.cols) / block_cols_;
  grid_.assign(static_cast<std::size_t>((as_int(p.rows) / block_rows_) * grid_cols_), 0);
  const auto& shared = tensor.state().shared_sips;
  const bool everything = std::find(shared.begin(), shared.end(), sip) != shared.end();
  for (const DeviceShard& s : tensor.shards()) {
    if (s.sip != sip && !everything) continue;
    const std::int64_t cell =
        as_int(s.row_begin) / block_rows_ * grid_cols_ + as_int(s.col_begin) / block_cols_;
    grid_[static_cast<std::size_t>(cell)] = tensor.va_base() + s.offset_bytes;
  }
}

std::uint64_t TensorLayout::block_va(std::int64_t r, std::int64_t c) const {
  return grid_[static_cast<std::size_t>(r / block_rows_ * grid_cols_ + c / block_cols_)];
}

TensorView::TensorView(const Tensor& tensor, std::shared_ptr<const TensorLayout> layout,
                       std::uint32_t sip, std::uint32_t cube, std::uint32_t pe)
    : dtype_(tensor.dtype()),
      global_rows_(as_int(tensor.placement().rows)),
      global_cols_(as_int(tensor.placement().cols)),
      layout_(std::move(layout)) {
  std::int64_t row_end = 0, col_end = 0;
  std::int64_t row0 = std::numeric_limits<std::int64_t>::max(), col0 = row0;
  const DeviceShard* mine = nullptr;
  for (const DeviceShard& s : tensor.shards()) {
    if (s.sip != sip || s.cube != cube) continue;
    row0 = std::min(row0, as_int(s.row_begin));
    col0 = std::min(col0, as_int(s.col_begin));
    row_end = std::max(row_end, as_int(s.row_begin + s.rows));
    col_end = std::max(col_end, as_int(s.col_begin + s.cols));
    if (s.pe == pe) mine = &s;
  }
  if (row_end == 0) return;  // this cube holds none of it
  if (mine != nullptr) {
    // PEs holding the same storage (a cube's SRAM copy) share its rows: each owns its part.
    std::int64_t sharers = 0, index = 0;
    for (const DeviceShard& s : tensor.shards()) {
      if (s.sip != sip || s.cube != cube || s.pa.encode() != mine->pa.encode()) continue;
      if (s.pe < pe) ++index;
      ++sharers;
    }
    const std::int64_t rows = as_int(mine->rows);
    const std::int64_t begin = rows * index / sharers, end = rows * (index + 1) / sharers;
    if (end > begin) {
      own_ = Block{as_int(mine->row_begin) + begin, as_int(mine->col_begin), end - begin,
                   as_int(mine->cols)};
    }
  }
  row0_ = row0;
  col0_ = col0;
  rows_ = row_end - row0;
  cols_ = col_end - col0;
  if (own_) {
    own_->row0 -= row0_;
    own_->col0 -= col0_;
  }
}

const std::string& TensorView::name() const {
  static const std::string none;  // a view of nothing (default-constructed)
  return layout_ != nullptr ? layout_->name() : none;
}

std::uint64_t TensorView::address(std::int64_t r, std::int64_t c) const {
  if (r < 0 || c < 0 || r >= rows_ || c >= cols_) {
    throw std::out_of_range(fmt::format("element ({}, {}) is outside the {} x {} view of '{}'", r,
                                        c, rows_, cols_, name()));
  }
  return global_pieces(row0_ + r, col0_ + c, 1, 1).front().address;
}

Pieces TensorView::pieces(std::int64_t r0, std::int64_t c0, std::int64_t rows,
                          std::int64_t cols) const {
  if (r0 < 0 || c0 < 0 || rows < 0 || cols < 0 || r0 + rows > rows_ || c0 + cols > cols_) {
    throw std::out_of_range(
        fmt::format("rows {}..{}, columns {}..{} are outside the {} x {} view of '{}'", r0,
                    r0 + rows, c0, c0 + cols, rows_, cols_, name()));
  }
  Pieces out = global_pieces(row0_ + r0, col0_ + c0, rows, cols);
  for (Piece& p : out) {
    p.row0 -= row0_;
    p.col0 -= col0_;
  }
  return out;
}

Pieces TensorView::global_pieces(std::int64_t r0, std::int64_t c0, std::int64_t rows,
                                 std::int64_t cols) const {
  Pieces out;
  if (!layout_ || rows <= 0 || cols <= 0) return out;
  const std::int64_t br = layout_->block_rows();
  const std::int64_t bc = layout_->block_cols();
  const auto item = static_cast<std::int64_t>(itemsize());
  for (std::int64_t r = r0; r < r0 + rows;) {
    const std::int64_t r_end = std::min(r0 + rows, (r / br + 1) * br);
    for (std::int64_t c = c0; c < c0 + cols;) {
      const std::int64_t c_end = std::min(c0 + cols, (c / bc + 1) * bc);
      const std::uint64_t block = layout_->block_va(r, c);
      if (block == 0) {
        throw std::out_of_range(
            fmt::format("element ({}, {}) of '{}' is not on this SIP", r, c, name()));
      }
      const std::int64_t in_block = (r % br) * bc + (c % bc);
      out.push_back({r, c, r_end - r, c_end - c,
                     block + static_cast<std::uint64_t>(in_block * item),
                     static_cast<std::uint64_t>(bc * item)});
      c = c_end;
    }
    r = r_end;
  }
  return out;
}

}  // namespace kb::runtime

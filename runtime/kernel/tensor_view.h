#pragma once
// What a kernel sees of a tensor argument: the cube-local view (docs/runtime.md, ADR 0005).
//
// The view is the block of the tensor that the kernel's cube holds, after the SIP and cube
// levels of its placement: `rows() x cols()` in the 2-D view of the tensor (a 1-D tensor is
// one row). Element (r, c) of the view is element (row0 + r, col0 + c) of the whole tensor.
// Inside the cube the block may be split further over PEs (row_wise / column_wise): those
// PE blocks sit one after another in virtual memory, so accesses are resolved through the
// block that holds each element. A cube that holds no shard of the tensor sees an empty
// view. Elements of other cubes of the same SIP are reachable in global coordinates.

#include "runtime/tensor/tensor.h"

#include <boost/container/small_vector.hpp>

#include <memory>
#include <optional>

namespace kb::runtime {

struct Block {
  std::int64_t row0 = 0;  // in view coordinates
  std::int64_t col0 = 0;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
};

// Where each block of a tensor lives in the virtual space of one SIP.
class TensorLayout {
 public:
  TensorLayout(const Tensor& tensor, std::uint32_t sip);

  // The tensor's name, kept here once for the views of every PE that shares the layout.
  const std::string& name() const { return name_; }
  std::int64_t block_rows() const { return block_rows_; }
  std::int64_t block_cols() const { return block_cols_; }
  // The virtual address of the block holding global element (r, c), or 0 when that block
  // is not on this SIP.
  std::uint64_t block_va(std::int64_t r, std::int64_t c) const;

 private:
  std::string name_;
  std::int64_t block_rows_ = 0, block_cols_ = 0, grid_cols_ = 0;
  std::vector<std::uint64_t> grid_;
};

// A rectangle of elements contiguous in each row: one 2-D burst.
struct Piece {
  std::int64_t row0, col0, rows, cols;  // in the coordinates asked for
  std::uint64_t address;                // of the first element
  std::uint64_t stride;                 // bytes between rows
};
// The bursts of a rectangle: one, unless it crosses blocks; held inline, as every load and
// store of a kernel asks for them.
using Pieces = boost::container::small_vector<Piece, 1>;

class TensorView {
 public:
  TensorView() = default;
  // The view of `tensor` from PE (sip, cube, pe), on the tensor's layout in that SIP.
  TensorView(const Tensor& tensor, std::shared_ptr<const TensorLayout> layout, std::uint32_t sip,
             std::uint32_t cube, std::uint32_t pe);

  const std::string& name() const;
  DType dtype() const { return dtype_; }
  std::size_t itemsize() const { return runtime::itemsize(dtype_); }
  std::int64_t rows() const { return rows_; }
  std::int64_t cols() const { return cols_; }
  bool empty() const { return rows_ == 0; }
  // Where the view sits in the whole tensor's 2-D view.
  std::int64_t row0() const { return row0_; }
  std::int64_t col0() const { return col0_; }
  std::int64_t global_rows() const { return global_rows_; }
  std::int64_t global_cols() const { return global_cols_; }
  // The part of the view held by the calling PE, if it holds one. PEs holding one copy
  // together (a cube's SRAM) each own an even share of its rows, so that a kernel writing
  // its own block writes the copy once.
  const std::optional<Block>& own_block() const { return own_; }

  // Virtual address of view element (r, c); throws when outside the view.
  std::uint64_t address(std::int64_t r, std::int64_t c) const;
  // The bursts covering view rectangle (r0, c0, rows, cols), which must lie in the view.
  Pieces pieces(std::int64_t r0, std::int64_t c0, std::int64_t rows, std::int64_t cols) const;
  // The same in global coordinates: any rectangle of the tensor held by this SIP.
  Pieces global_pieces(std::int64_t r0, std::int64_t c0, std::int64_t rows,
                       std::int64_t cols) const;

 private:
  DType dtype_ = DType::f32;
  std::int64_t row0_ = 0, col0_ = 0, rows_ = 0, cols_ = 0;
  std::int64_t global_rows_ = 0, global_cols_ = 0;
  std::shared_ptr<const TensorLayout> layout_;
  std::optional<Block> own_;
};

}  // namespace kb::runtime

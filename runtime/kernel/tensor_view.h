#pragma once
// What a kernel sees of a tensor argument: the cube-local view (DESIGN §4, ADR 0005).
//
// The view is the block of the tensor that the kernel's cube holds, after the SIP and cube
// levels of its placement: `rows() x cols()` in the 2-D view of the tensor (a 1-D tensor is
// one row). Element (r, c) of the view is element (row0 + r, col0 + c) of the whole tensor.
// Inside the cube the block may be split further over PEs (row_wise / column_wise): those
// PE blocks sit one after another in virtual memory, so address() resolves each element
// through the block that holds it. A cube that holds no shard of the tensor sees an empty
// view.

#include "runtime/tensor/tensor.h"

#include <optional>

namespace kb::runtime {

struct Block {
  std::int64_t row0 = 0;  // in view coordinates
  std::int64_t col0 = 0;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
};

class TensorView {
 public:
  TensorView() = default;
  // The view of `tensor` from PE (sip, cube, pe).
  TensorView(const Tensor& tensor, std::uint32_t sip, std::uint32_t cube, std::uint32_t pe);

  const std::string& name() const { return name_; }
  DType dtype() const { return dtype_; }
  std::size_t itemsize() const { return runtime::itemsize(dtype_); }
  std::int64_t rows() const { return rows_; }
  std::int64_t cols() const { return cols_; }
  bool empty() const { return rows_ == 0; }
  // Where the view sits in the whole tensor's 2-D view.
  std::int64_t row0() const { return row0_; }
  std::int64_t col0() const { return col0_; }
  // The whole tensor's 2-D view.
  std::int64_t global_rows() const { return global_rows_; }
  std::int64_t global_cols() const { return global_cols_; }

  // Virtual address of element (r, c) of the view; throws when outside it.
  std::uint64_t address(std::int64_t r, std::int64_t c) const;
  // Elements from (r, c) to the end of its row that are contiguous in memory.
  std::int64_t contiguous(std::int64_t r, std::int64_t c) const;
  // The part of the view held by the calling PE, if it holds one.
  const std::optional<Block>& own_block() const { return own_; }

 private:
  std::string name_;
  DType dtype_ = DType::f32;
  std::int64_t row0_ = 0, col0_ = 0, rows_ = 0, cols_ = 0;
  std::int64_t global_rows_ = 0, global_cols_ = 0;
  std::int64_t block_rows_ = 0, block_cols_ = 0, grid_cols_ = 0;
  std::vector<std::uint64_t> block_va_;  // grid of PE blocks, row-major
  std::optional<Block> own_;
};

}  // namespace kb::runtime

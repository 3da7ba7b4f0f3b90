#pragma once
// A 2-D block of values held by a running kernel (its registers and vector lanes), like a
// Triton block. Values are kept as doubles, each rounded to the tile's dtype whenever it
// is stored (f16 and bf16 round to nearest even, integers wrap), so a tile computes as its
// dtype does. In timing-only runs a tile has a shape but no values.

#include "runtime/tensor/dtype.h"

#include <cstdint>
#include <vector>

namespace kb::runtime {

// `value` rounded to what `dtype` can hold.
double round_to(DType dtype, double value);
// The value of one `dtype` element stored at `bytes`.
double decode(DType dtype, const unsigned char* bytes);

class Tile {
 public:
  Tile() = default;
  // A rows x cols tile of `fill`, or one without values when `with_values` is false.
  Tile(std::int64_t rows, std::int64_t cols, DType dtype, bool with_values, double fill = 0.0);

  std::int64_t rows() const { return rows_; }
  std::int64_t cols() const { return cols_; }
  std::int64_t size() const { return rows_ * cols_; }
  DType dtype() const { return dtype_; }
  bool has_values() const { return !values_.empty() || size() == 0; }

  double at(std::int64_t r, std::int64_t c) const { return values_[index(r, c)]; }
  void set(std::int64_t r, std::int64_t c, double v) { values_[index(r, c)] = round_to(dtype_, v); }
  // Stores an already rounded value (the result of an operation in this dtype).
  void set_exact(std::int64_t r, std::int64_t c, double v) { values_[index(r, c)] = v; }
  const std::vector<double>& values() const { return values_; }

  // Columns [col0, col0 + cols) of a one-row tile, and writing them back (no cost: these
  // move values within the kernel's own storage).
  Tile slice(std::int64_t col0, std::int64_t cols) const;
  // Rows [row0, row0 + rows) x columns [col0, col0 + cols) of any tile (no cost either).
  Tile block(std::int64_t row0, std::int64_t col0, std::int64_t rows, std::int64_t cols) const;
  void assign(std::int64_t col0, const Tile& part);

  // Packs the values as `dtype` bytes, row-major; and the reverse.
  void to_bytes(unsigned char* out) const;
  static Tile from_bytes(std::int64_t rows, std::int64_t cols, DType dtype,
                         const unsigned char* bytes);

 private:
  std::size_t index(std::int64_t r, std::int64_t c) const {
    return static_cast<std::size_t>(r * cols_ + c);
  }

  std::int64_t rows_ = 0;
  std::int64_t cols_ = 0;
  DType dtype_ = DType::f32;
  std::vector<double> values_;
};

}  // namespace kb::runtime

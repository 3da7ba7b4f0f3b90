#include "runtime/kernel/tile.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace kb::runtime {

namespace {

template <class T>
double wrap(double v) {
  if (!std::isfinite(v)) return 0.0;
  // Conversion through a 64-bit integer then truncation to the width wraps like hardware.
  return static_cast<double>(static_cast<T>(static_cast<std::int64_t>(v)));
}

template <class T>
void put(unsigned char* out, T v) {
  std::memcpy(out, &v, sizeof v);
}

template <class T>
T get(const unsigned char* in) {
  T v;
  std::memcpy(&v, in, sizeof v);
  return v;
}

}  // namespace

double round_to(DType dtype, double v) {
  switch (dtype) {
    case DType::f32: return static_cast<double>(static_cast<float>(v));
    case DType::f16: return f16_to_f32(f32_to_f16(static_cast<float>(v)));
    case DType::bf16: return bf16_to_f32(f32_to_bf16(static_cast<float>(v)));
    case DType::i8: return wrap<std::int8_t>(v);
    case DType::i16: return wrap<std::int16_t>(v);
    case DType::i32: return wrap<std::int32_t>(v);
    case DType::u8: return wrap<std::uint8_t>(v);
    case DType::u16: return wrap<std::uint16_t>(v);
    case DType::u32: return wrap<std::uint32_t>(v);
  }
  return v;
}

Tile::Tile(std::int64_t rows, std::int64_t cols, DType dtype, bool with_values, double fill)
    : rows_(rows), cols_(cols), dtype_(dtype) {
  if (with_values) values_.assign(static_cast<std::size_t>(rows * cols), round_to(dtype, fill));
}

Tile Tile::slice(std::int64_t col0, std::int64_t cols) const { return block(0, col0, 1, cols); }

Tile Tile::block(std::int64_t row0, std::int64_t col0, std::int64_t rows, std::int64_t cols) const {
  if (row0 < 0 || col0 < 0 || rows < 0 || cols < 0 || row0 + rows > rows_ || col0 + cols > cols_) {
    throw std::out_of_range(fmt::format("block ({}, {}) {} x {} of a {} x {} tile", row0, col0,
                                        rows, cols, rows_, cols_));
  }
  Tile out(rows, cols, dtype_, false);
  if (values_.empty()) return out;
  out.values_.reserve(static_cast<std::size_t>(rows * cols));
  for (std::int64_t r = row0; r < row0 + rows; ++r) {
    const auto first = values_.begin() + static_cast<std::ptrdiff_t>(index(r, col0));
    out.values_.insert(out.values_.end(), first, first + cols);
  }
  return out;
}

void Tile::assign(std::int64_t col0, const Tile& part) {
  if (values_.empty() || part.values_.empty()) return;
  std::copy(part.values_.begin(), part.values_.end(), values_.begin() + col0);
}

void Tile::to_bytes(unsigned char* out) const {
  const std::size_t item = itemsize(dtype_);
  for (std::size_t i = 0; i < values_.size(); ++i) {
    unsigned char* at = out + i * item;
    const double v = values_[i];
    switch (dtype_) {
      case DType::f32: put(at, static_cast<float>(v)); break;
      case DType::f16: put(at, f32_to_f16(static_cast<float>(v))); break;
      case DType::bf16: put(at, f32_to_bf16(static_cast<float>(v))); break;
      case DType::i8: put(at, static_cast<std::int8_t>(v)); break;
      case DType::i16: put(at, static_cast<std::int16_t>(v)); break;
      case DType::i32: put(at, static_cast<std::int32_t>(v)); break;
      case DType::u8: put(at, static_cast<std::uint8_t>(v)); break;
      case DType::u16: put(at, static_cast<std::uint16_t>(v)); break;
      case DType::u32: put(at, static_cast<std::uint32_t>(v)); break;
    }
  }
}

double decode(DType dtype, const unsigned char* at) {
  switch (dtype) {
    case DType::f32: return get<float>(at);
    case DType::f16: return f16_to_f32(get<std::uint16_t>(at));
    case DType::bf16: return bf16_to_f32(get<std::uint16_t>(at));
    case DType::i8: return get<std::int8_t>(at);
    case DType::i16: return get<std::int16_t>(at);
    case DType::i32: return get<std::int32_t>(at);
    case DType::u8: return get<std::uint8_t>(at);
    case DType::u16: return get<std::uint16_t>(at);
    case DType::u32: return get<std::uint32_t>(at);
  }
  return 0.0;
}

Tile Tile::from_bytes(std::int64_t rows, std::int64_t cols, DType dtype, const unsigned char* in) {
  Tile t(rows, cols, dtype, true);
  const std::size_t item = itemsize(dtype);
  for (std::size_t i = 0; i < t.values_.size(); ++i) t.values_[i] = decode(dtype, in + i * item);
  return t;
}

}  // namespace kb::runtime

#include "runtime/kernel/quantisation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace kb::runtime {

namespace {

// The largest code's magnitude: symmetric, so int4 leaves -8 unused.
double max_code(int bits) { return bits == 8 ? 127.0 : 7.0; }

}  // namespace

DType code_dtype(int bits) { return bits == 8 ? DType::i8 : DType::u8; }

std::int64_t code_rows(std::int64_t rows, int bits) { return rows * bits / 8; }

int code_bits(DType codes, DType activations) {
  if (!is_float(activations)) return 0;
  if (codes == DType::i8) return 8;
  if (codes == DType::u8) return 4;
  return 0;
}

namespace {

// A scale for values whose largest magnitude is `largest` (1 for a group of zeros: their
// codes are 0 either way), rounded to `dtype`.
double scale_for(double largest, int bits, DType dtype) {
  return round_to(dtype, largest > 0 ? largest / max_code(bits) : 1.0);
}

double code_of(double value, double scale, int bits) {
  return std::clamp(std::nearbyint(value / scale), -max_code(bits), max_code(bits));
}

}  // namespace

QuantisedTile quantise(const Tile& w, int bits, std::int64_t group, DType scale_dtype) {
  const std::int64_t rows = w.rows(), cols = w.cols();
  if (group < 1 || rows % group != 0 || code_rows(rows, bits) * 8 != rows * bits) {
    throw std::invalid_argument(
        fmt::format("int{} weights of {} rows in groups of {}: the groups must divide the rows{}",
                    bits, rows, group, bits == 4 ? ", and the rows be even" : ""));
  }
  QuantisedTile q{Tile(code_rows(rows, bits), cols, code_dtype(bits), w.has_values()),
                  Tile(rows / group, cols, scale_dtype, w.has_values())};
  if (!w.has_values()) return q;
  for (std::int64_t g = 0; g < rows / group; ++g) {
    for (std::int64_t c = 0; c < cols; ++c) {
      double largest = 0;
      for (std::int64_t r = g * group; r < (g + 1) * group; ++r)
        largest = std::max(largest, std::fabs(w.at(r, c)));
      q.scales.set_exact(g, c, scale_for(largest, bits, scale_dtype));
    }
  }
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t c = 0; c < cols; ++c) {
      const double code = code_of(w.at(r, c), q.scales.at(r / group, c), bits);
      if (bits == 8) {
        q.codes.set(r, c, code);
      } else {
        const double nibble = code + 8;
        const std::int64_t byte = r / 2;
        q.codes.set(byte, c, q.codes.at(byte, c) + (r % 2 == 0 ? nibble : nibble * 16));
      }
    }
  }
  return q;
}

Tile dequantise(const Tile& codes, const Tile& scales, int bits, std::int64_t group,
                std::int64_t row0, std::int64_t rows, DType dtype) {
  const std::int64_t first_group = row0 / group;
  const std::int64_t groups = (row0 + rows - 1) / group - first_group + 1;
  if (codes.rows() != code_rows(rows, bits) || codes.dtype() != code_dtype(bits) ||
      scales.rows() < groups || scales.cols() != codes.cols() || (bits == 4 && row0 % 2 != 0)) {
    throw std::invalid_argument(fmt::format(
        "dequantise {} rows from row {} (int{}, groups of {}): codes {} x {} {}, scales {} x {}",
        rows, row0, bits, group, codes.rows(), codes.cols(), to_string(codes.dtype()),
        scales.rows(), scales.cols()));
  }
  Tile out(rows, codes.cols(), dtype, codes.has_values() && scales.has_values());
  if (!out.has_values()) return out;
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t g = (row0 + r) / group - first_group;
    for (std::int64_t c = 0; c < codes.cols(); ++c) {
      double code = codes.at(r * bits / 8, c);
      if (bits == 4) {
        const auto byte = static_cast<std::int64_t>(code);
        code = static_cast<double>((r % 2 == 0 ? byte : byte >> 4) & 0xF) - 8;
      }
      out.set(r, c, code * scales.at(g, c));
    }
  }
  return out;
}

QuantisedTile quantise_rows(const Tile& rows, DType scale_dtype) {
  QuantisedTile q{Tile(rows.rows(), rows.cols(), DType::i8, rows.has_values()),
                  Tile(rows.rows(), 1, scale_dtype, rows.has_values())};
  if (!rows.has_values()) return q;
  for (std::int64_t r = 0; r < rows.rows(); ++r) {
    double largest = 0;
    for (std::int64_t c = 0; c < rows.cols(); ++c)
      largest = std::max(largest, std::fabs(rows.at(r, c)));
    const double scale = scale_for(largest, 8, scale_dtype);
    q.scales.set_exact(r, 0, scale);
    for (std::int64_t c = 0; c < rows.cols(); ++c)
      q.codes.set(r, c, code_of(rows.at(r, c), scale, 8));
  }
  return q;
}

Tile dequantise_rows(const Tile& codes, const Tile& scales, DType dtype) {
  if (codes.dtype() != DType::i8 || scales.rows() != codes.rows() || scales.cols() != 1) {
    throw std::invalid_argument(fmt::format(
        "dequantise rows: codes {} x {} {} with scales {} x {}: i8 codes, a scale per row",
        codes.rows(), codes.cols(), to_string(codes.dtype()), scales.rows(), scales.cols()));
  }
  Tile out(codes.rows(), codes.cols(), dtype, codes.has_values() && scales.has_values());
  if (!out.has_values()) return out;
  for (std::int64_t r = 0; r < codes.rows(); ++r)
    for (std::int64_t c = 0; c < codes.cols(); ++c) out.set(r, c, codes.at(r, c) * scales.at(r, 0));
  return out;
}

}  // namespace kb::runtime

#pragma once
// Values stored as integer codes and scales (docs/workloads.md, "Quantisation"), symmetric:
// a value is code x scale.
//
// Weights: one scale per group of `group` consecutive rows of each column (the reduction
// dimension of the product they enter), as GPTQ and AWQ store them.
//
// - int8: one i8 code per weight, -127..127.
// - int4: two codes per u8 byte, packed along the rows (row 2i in the low nibble, row 2i + 1
//   in the high one), each stored as code + 8 for a code of -7..7; so the codes of a K x N
//   weight are a K/2 x N tensor whose columns split over the PEs as the weight's do.
//
// The scales are a K/group x N tensor in the activations' dtype.
//
// A KV cache: int8 codes, one scale per row (a token of one kv head), computed from the row
// as it is appended (per-token quantisation).
//
// The kernels and the host reference quantise and dequantise with the same functions below,
// so their results match exactly.

#include "runtime/kernel/tile.h"

namespace kb::runtime {

// The dtype of the codes (i8 for int8, u8 for int4) and the codes' rows for `rows` weights.
DType code_dtype(int bits);
std::int64_t code_rows(std::int64_t rows, int bits);
// The bits of a codes tensor's dtype when it multiplies `activations` (a float dtype):
// 8 for i8, 4 for u8, 0 when the pair is no quantised product.
int code_bits(DType codes, DType activations);

struct QuantisedTile {
  Tile codes;   // code_rows(rows) x cols, code_dtype(bits)
  Tile scales;  // rows / group x cols, `scale_dtype`
};
// `w` (rows divisible by the group, and by 2 for int4) as codes and scales: each group's
// scale its largest magnitude over the largest code, rounded to `scale_dtype`.
QuantisedTile quantise(const Tile& w, int bits, std::int64_t group, DType scale_dtype);

// Rows [row0, row0 + rows) of the weights `codes` and `scales` hold, as `dtype` values:
// `codes` holds those rows' codes (from row0's), `scales` the scale rows from group
// row0 / group on. Every value is code x scale rounded to `dtype`. Shapes are checked.
Tile dequantise(const Tile& codes, const Tile& scales, int bits, std::int64_t group,
                std::int64_t row0, std::int64_t rows, DType dtype);

// Each row of `rows` as int8 codes and its own scale (a rows x 1 tile in `scale_dtype`).
QuantisedTile quantise_rows(const Tile& rows, DType scale_dtype);
// The values `codes` and their rows' `scales` hold, as `dtype` values.
Tile dequantise_rows(const Tile& codes, const Tile& scales, DType dtype);

}  // namespace kb::runtime

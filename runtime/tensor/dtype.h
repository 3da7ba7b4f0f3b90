#pragma once
// Element types of device tensors, their sizes, and the f16/bf16 <-> f32 conversions the
// kernels and host references share.

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace kb::runtime {

enum class DType : std::uint8_t { f16, bf16, f32, i8, i16, i32, u8, u16, u32 };

inline constexpr DType kAllDTypes[] = {DType::f16, DType::bf16, DType::f32, DType::i8, DType::i16,
                                       DType::i32, DType::u8,   DType::u16, DType::u32};

std::size_t itemsize(DType dtype);
const char* to_string(DType dtype);
std::optional<DType> parse_dtype(std::string_view name);
bool is_float(DType dtype);
std::ostream& operator<<(std::ostream& out, DType dtype);

// The dtype of a host element type (the seed's numpy dtype mapping), for host tensors.
// f16 and bf16 have no native C++ type: host code holds them as F16Bits / BF16Bits.
struct F16Bits {
  std::uint16_t bits;
};
struct BF16Bits {
  std::uint16_t bits;
};

template <class T>
struct DTypeOf;
template <>
struct DTypeOf<F16Bits> {
  static constexpr DType value = DType::f16;
};
template <>
struct DTypeOf<BF16Bits> {
  static constexpr DType value = DType::bf16;
};
template <>
struct DTypeOf<float> {
  static constexpr DType value = DType::f32;
};
template <>
struct DTypeOf<std::int8_t> {
  static constexpr DType value = DType::i8;
};
template <>
struct DTypeOf<std::int16_t> {
  static constexpr DType value = DType::i16;
};
template <>
struct DTypeOf<std::int32_t> {
  static constexpr DType value = DType::i32;
};
template <>
struct DTypeOf<std::uint8_t> {
  static constexpr DType value = DType::u8;
};
template <>
struct DTypeOf<std::uint16_t> {
  static constexpr DType value = DType::u16;
};
template <>
struct DTypeOf<std::uint32_t> {
  static constexpr DType value = DType::u32;
};

// IEEE 754 binary16 and bfloat16 conversions. Narrowing rounds to nearest, ties to even;
// overflow goes to infinity, NaN stays NaN (quiet, sign kept), subnormals are exact.
std::uint16_t f32_to_f16(float value);
float f16_to_f32(std::uint16_t bits);
std::uint16_t f32_to_bf16(float value);
float bf16_to_f32(std::uint16_t bits);

}  // namespace kb::runtime

#include "runtime/tensor/dtype.h"

#include <cstring>
#include <ostream>

namespace kb::runtime {

namespace {

struct DTypeInfo {
  DType dtype;
  const char* name;
  std::size_t size;
  bool is_float;
};

constexpr DTypeInfo kInfo[] = {
    {DType::f16, "f16", 2, true}, {DType::bf16, "bf16", 2, true}, {DType::f32, "f32", 4, true},
    {DType::i8, "i8", 1, false},  {DType::i16, "i16", 2, false},  {DType::i32, "i32", 4, false},
    {DType::u8, "u8", 1, false},  {DType::u16, "u16", 2, false},  {DType::u32, "u32", 4, false},
};

const DTypeInfo& info(DType dtype) { return kInfo[static_cast<std::size_t>(dtype)]; }

std::uint32_t bits_of(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

float float_of(std::uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// Shifts `mantissa` right by `shift` bits, rounding to nearest with ties to even.
std::uint32_t shift_round_even(std::uint32_t mantissa, unsigned shift) {
  if (shift == 0) return mantissa;
  if (shift > 31) return 0;
  const std::uint32_t kept = mantissa >> shift;
  const std::uint32_t rest = mantissa & ((1U << shift) - 1);
  const std::uint32_t half = 1U << (shift - 1);
  return kept + ((rest > half || (rest == half && (kept & 1U))) ? 1U : 0U);
}

}  // namespace

std::size_t itemsize(DType dtype) { return info(dtype).size; }
const char* to_string(DType dtype) { return info(dtype).name; }
bool is_float(DType dtype) { return info(dtype).is_float; }
std::ostream& operator<<(std::ostream& out, DType dtype) { return out << to_string(dtype); }

std::optional<DType> parse_dtype(std::string_view name) {
  for (const auto& i : kInfo) {
    if (name == i.name) return i.dtype;
  }
  return std::nullopt;
}

std::uint16_t f32_to_f16(float value) {
  const std::uint32_t x = bits_of(value);
  const auto sign = static_cast<std::uint16_t>((x >> 16) & 0x8000U);
  const std::uint32_t exponent = (x >> 23) & 0xFFU;
  const std::uint32_t mantissa = x & 0x7FFFFFU;
  if (exponent == 0xFF) {  // infinity or NaN; a NaN keeps its top payload bits and stays quiet
    return static_cast<std::uint16_t>(sign | 0x7C00U |
                                      (mantissa != 0 ? 0x200U | (mantissa >> 13) : 0U));
  }
  const int unbiased = static_cast<int>(exponent) - 127;
  if (unbiased > 15) return static_cast<std::uint16_t>(sign | 0x7C00U);
  if (unbiased >= -14) {  // normal binary16; a carry out of the mantissa bumps the exponent
    const std::uint32_t rounded =
        shift_round_even((static_cast<std::uint32_t>(unbiased + 15) << 23) | mantissa, 13);
    return static_cast<std::uint16_t>(sign | (rounded >= 0x7C00U ? 0x7C00U : rounded));
  }
  // Subnormal binary16 (or zero): value = m * 2^-24 with the implicit bit made explicit.
  if (exponent == 0) return sign;  // f32 subnormals are far below the f16 range
  const std::uint32_t full = mantissa | 0x800000U;
  const unsigned shift = static_cast<unsigned>(-unbiased - 14 + 13);
  return static_cast<std::uint16_t>(sign | shift_round_even(full, shift));
}

float f16_to_f32(std::uint16_t bits) {
  const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000U) << 16;
  const std::uint32_t exponent = (bits >> 10) & 0x1FU;
  std::uint32_t mantissa = bits & 0x3FFU;
  if (exponent == 0x1F) return float_of(sign | 0x7F800000U | (mantissa << 13));
  if (exponent != 0) return float_of(sign | ((exponent + 112) << 23) | (mantissa << 13));
  if (mantissa == 0) return float_of(sign);
  int e = -14;  // normalise a subnormal
  while ((mantissa & 0x400U) == 0) {
    mantissa <<= 1;
    --e;
  }
  return float_of(sign | (static_cast<std::uint32_t>(e + 127) << 23) | ((mantissa & 0x3FFU) << 13));
}

std::uint16_t f32_to_bf16(float value) {
  const std::uint32_t x = bits_of(value);
  if ((x & 0x7F800000U) == 0x7F800000U && (x & 0x7FFFFFU) != 0) {
    return static_cast<std::uint16_t>((x >> 16) | 0x40U);  // quiet NaN, sign kept
  }
  // Rounding the low half away carries into the exponent correctly, up to infinity.
  return static_cast<std::uint16_t>(shift_round_even(x, 16));
}

float bf16_to_f32(std::uint16_t bits) { return float_of(static_cast<std::uint32_t>(bits) << 16); }

}  // namespace kb::runtime

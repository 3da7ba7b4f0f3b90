#define BOOST_TEST_MODULE dtype
#include "runtime/tensor/dtype.h"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstring>
#include <limits>

using namespace kb::runtime;

namespace {

float from_bits(std::uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

std::uint32_t to_bits(float f) {
  std::uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

}  // namespace

BOOST_AUTO_TEST_CASE(itemsizes_and_names) {
  BOOST_TEST(itemsize(DType::f16) == 2u);
  BOOST_TEST(itemsize(DType::bf16) == 2u);
  BOOST_TEST(itemsize(DType::f32) == 4u);
  BOOST_TEST(itemsize(DType::i8) == 1u);
  BOOST_TEST(itemsize(DType::i16) == 2u);
  BOOST_TEST(itemsize(DType::i32) == 4u);
  BOOST_TEST(itemsize(DType::u8) == 1u);
  BOOST_TEST(itemsize(DType::u16) == 2u);
  BOOST_TEST(itemsize(DType::u32) == 4u);
  for (DType d : kAllDTypes) BOOST_TEST(parse_dtype(to_string(d)).value() == d);
  BOOST_TEST(!parse_dtype("f64").has_value());
  BOOST_TEST(is_float(DType::bf16));
  BOOST_TEST(!is_float(DType::u32));
  BOOST_TEST(DTypeOf<float>::value == DType::f32);
  BOOST_TEST(DTypeOf<std::uint16_t>::value == DType::u16);
}

BOOST_AUTO_TEST_CASE(f16_known_patterns) {
  BOOST_TEST(f32_to_f16(1.0f) == 0x3C00);
  BOOST_TEST(f32_to_f16(-2.0f) == 0xC000);
  BOOST_TEST(f32_to_f16(0.0f) == 0x0000);
  BOOST_TEST(f32_to_f16(-0.0f) == 0x8000);
  BOOST_TEST(f32_to_f16(65504.0f) == 0x7BFF);   // largest finite
  BOOST_TEST(f32_to_f16(65519.99f) == 0x7BFF);  // rounds down
  BOOST_TEST(f32_to_f16(65520.0f) == 0x7C00);   // tie, to even: infinity
  BOOST_TEST(f32_to_f16(1e9f) == 0x7C00);
  BOOST_TEST(f32_to_f16(-std::numeric_limits<float>::infinity()) == 0xFC00);
  BOOST_TEST(f32_to_f16(std::ldexp(1.0f, -14)) == 0x0400);         // smallest normal
  BOOST_TEST(f32_to_f16(std::ldexp(1.0f, -24)) == 0x0001);         // smallest subnormal
  BOOST_TEST(f32_to_f16(std::ldexp(1023.0f, -24)) == 0x03FF);      // largest subnormal
  BOOST_TEST(f32_to_f16(std::ldexp(1.0f, -25)) == 0x0000);         // tie, to even: zero
  BOOST_TEST(f32_to_f16(std::ldexp(3.0f, -26)) == 0x0001);         // above the tie
  BOOST_TEST(f32_to_f16(std::ldexp(3.0f, -25)) == 0x0002);         // tie 1.5, to even: 2
  BOOST_TEST(f32_to_f16(1.0f + std::ldexp(1.0f, -11)) == 0x3C00);  // tie, to even
  BOOST_TEST(f32_to_f16(1.0f + std::ldexp(3.0f, -11)) == 0x3C02);  // tie, to even (up)
  BOOST_TEST(f32_to_f16(1.0f + std::ldexp(1.0f, -10)) == 0x3C01);
  BOOST_TEST(f32_to_f16(from_bits(0x00000001)) == 0x0000);     // f32 subnormal
  BOOST_TEST(f32_to_f16(std::ldexp(4095.0f, -12)) == 0x3C00);  // tie carries into exponent
  BOOST_TEST(f32_to_f16(std::numeric_limits<float>::quiet_NaN()) == 0x7E00);
  const std::uint16_t nan = f32_to_f16(from_bits(0xFF800001));  // signalling NaN stays NaN
  BOOST_TEST((nan & 0x7C00) == 0x7C00);
  BOOST_TEST((nan & 0x03FF) != 0);
  BOOST_TEST((nan & 0x8000) != 0);
}

BOOST_AUTO_TEST_CASE(f16_widening_is_exact) {
  BOOST_TEST(f16_to_f32(0x3C00) == 1.0f);
  BOOST_TEST(f16_to_f32(0x7BFF) == 65504.0f);
  BOOST_TEST(f16_to_f32(0x0001) == std::ldexp(1.0f, -24));
  BOOST_TEST(f16_to_f32(0x03FF) == std::ldexp(1023.0f, -24));
  BOOST_TEST(to_bits(f16_to_f32(0x8000)) == 0x80000000u);
  BOOST_TEST(std::isinf(f16_to_f32(0x7C00)));
  BOOST_TEST(std::isnan(f16_to_f32(0x7E00)));
  BOOST_TEST(f16_to_f32(0x3555) == 0.333251953125f);
}

BOOST_AUTO_TEST_CASE(every_f16_value_round_trips) {
  for (std::uint32_t b = 0; b <= 0xFFFF; ++b) {
    const auto bits = static_cast<std::uint16_t>(b);
    const float f = f16_to_f32(bits);
    if (std::isnan(f)) {
      BOOST_TEST(std::isnan(f16_to_f32(f32_to_f16(f))));
    } else if (f32_to_f16(f) != bits) {
      BOOST_FAIL("f16 0x" << std::hex << b << " does not round-trip");
    }
  }
}

BOOST_AUTO_TEST_CASE(bf16_known_patterns) {
  BOOST_TEST(f32_to_bf16(1.0f) == 0x3F80);
  BOOST_TEST(f32_to_bf16(-2.0f) == 0xC000);
  BOOST_TEST(f32_to_bf16(3.14159265f) == 0x4049);
  BOOST_TEST(f32_to_bf16(1.0f + std::ldexp(1.0f, -8)) == 0x3F80);  // tie, to even
  BOOST_TEST(f32_to_bf16(1.0f + std::ldexp(3.0f, -8)) == 0x3F82);  // tie, to even (up)
  BOOST_TEST(f32_to_bf16(std::numeric_limits<float>::max()) == 0x7F80);
  BOOST_TEST(f32_to_bf16(std::numeric_limits<float>::infinity()) == 0x7F80);
  BOOST_TEST(f32_to_bf16(from_bits(0x00000001)) == 0x0000);  // tiny subnormal
  BOOST_TEST(f32_to_bf16(from_bits(0x00010000)) == 0x0001);  // subnormal kept
  BOOST_TEST(f32_to_bf16(from_bits(0x7F800001)) == 0x7FC0);  // NaN made quiet
  BOOST_TEST(bf16_to_f32(0x3F80) == 1.0f);
  BOOST_TEST(std::isnan(bf16_to_f32(0xFFC0)));
}

BOOST_AUTO_TEST_CASE(every_bf16_value_round_trips) {
  for (std::uint32_t b = 0; b <= 0xFFFF; ++b) {
    const auto bits = static_cast<std::uint16_t>(b);
    const float f = bf16_to_f32(bits);
    if (std::isnan(f)) continue;
    if (f32_to_bf16(f) != bits) BOOST_FAIL("bf16 0x" << std::hex << b << " does not round-trip");
  }
}

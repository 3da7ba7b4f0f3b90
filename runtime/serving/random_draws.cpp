#include "runtime/serving/random_draws.h"

#include <cmath>

namespace kb::runtime::serving {

namespace {
constexpr double kPi = 3.14159265358979323846;
}

double RandomDraws::uniform() {
  // The top 53 bits, offset by half a step: in (0, 1) exactly.
  return (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53;
}

double RandomDraws::exponential(double mean) { return -mean * std::log(uniform()); }

double RandomDraws::normal() {
  return std::sqrt(-2.0 * std::log(uniform())) * std::cos(2.0 * kPi * uniform());
}

double RandomDraws::gamma(double mean, double cv) {
  const double shape = 1.0 / (cv * cv);
  // Shape below 1: draw at shape + 1 and scale by U^(1/shape).
  const double boost = shape < 1.0 ? std::pow(uniform(), 1.0 / shape) : 1.0;
  const double a = shape < 1.0 ? shape + 1.0 : shape;
  const double d = a - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x = 0, v = 0;
    do {
      x = normal();
      v = 1.0 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = uniform();
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) {
      return d * v * boost * mean / shape;
    }
  }
}

std::int64_t RandomDraws::integer(std::int64_t lo, std::int64_t hi) {
  const auto span = static_cast<double>(hi - lo + 1);
  return lo + static_cast<std::int64_t>(std::floor(uniform() * span));
}

}  // namespace kb::runtime::serving

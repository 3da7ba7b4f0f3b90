#pragma once
// Seeded draws for synthetic serving load (docs/serving.md): the generator is the standard's
// mt19937_64, whose sequence the standard fixes, and every distribution is computed here
// from its output, since the library's distributions may differ between implementations and
// the same seed must give the same requests everywhere.

#include <cstdint>
#include <random>

namespace kb::runtime::serving {

class RandomDraws {
 public:
  explicit RandomDraws(std::uint64_t seed) : engine_(seed) {}
  // Uniform in (0, 1): never 0, so that logarithms stay finite.
  double uniform();
  double exponential(double mean);
  double normal();  // standard normal (Box-Muller)
  // Gamma with this mean and coefficient of variation (shape 1 / cv^2): bursty arrivals
  // for cv > 1, more regular than Poisson for cv < 1 (Marsaglia and Tsang).
  double gamma(double mean, double cv);
  // An integer in [lo, hi].
  std::int64_t integer(std::int64_t lo, std::int64_t hi);

 private:
  std::mt19937_64 engine_;
};

}  // namespace kb::runtime::serving

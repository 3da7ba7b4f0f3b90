// KernelContext's arithmetic on tiles: the cost of each operation, then (unless the run is
// timing-only) the values.
#include "runtime/kernel/kernel_context.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace kb::runtime {

namespace {

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

// Index of b's element broadcast to a's (r, c).
double broadcast(const Tile& b, std::int64_t r, std::int64_t c) {
  return b.at(b.rows() == 1 ? 0 : r, b.cols() == 1 ? 0 : c);
}

void check_broadcast(const Tile& a, const Tile& b, const char* name) {
  const bool rows_ok = b.rows() == a.rows() || b.rows() == 1;
  const bool cols_ok = b.cols() == a.cols() || b.cols() == 1;
  if (!rows_ok || !cols_ok) {
    throw std::invalid_argument(fmt::format("{}: a {} x {} tile does not broadcast to {} x {}",
                                            name, b.rows(), b.cols(), a.rows(), a.cols()));
  }
}

}  // namespace

void KernelContext::charge_vector(std::int64_t elements) {
  pe_.compute(costs_.op_overhead_cycles + ceil_div(static_cast<std::uint64_t>(elements),
                                                   static_cast<std::uint64_t>(costs_.vector_lanes)),
              models::CoreWork::vector, static_cast<std::uint64_t>(elements));
}

Tile KernelContext::dot(const Tile& a, const Tile& b, const Tile* accumulate) {
  if (a.cols() != b.rows()) {
    throw std::invalid_argument(fmt::format("dot of {} x {} and {} x {}: inner sizes differ",
                                            a.rows(), a.cols(), b.rows(), b.cols()));
  }
  return multiply(a, b, accumulate);
}

Tile KernelContext::dot_nt(const Tile& a, const Tile& b, const Tile* accumulate) {
  if (a.cols() != b.cols()) {
    throw std::invalid_argument(fmt::format("dot_nt of {} x {} and ({} x {})^T: inner sizes differ",
                                            a.rows(), a.cols(), b.rows(), b.cols()));
  }
  Tile bt(b.cols(), b.rows(), b.dtype(), b.has_values() && b.size() > 0);
  if (bt.has_values()) {
    for (std::int64_t r = 0; r < b.rows(); ++r)
      for (std::int64_t c = 0; c < b.cols(); ++c) bt.set_exact(c, r, b.at(r, c));
  }
  return multiply(a, bt, accumulate);
}

Tile KernelContext::multiply(const Tile& a, const Tile& b, const Tile* accumulate) {
  if (accumulate != nullptr && (accumulate->rows() != a.rows() || accumulate->cols() != b.cols())) {
    throw std::invalid_argument("dot: the accumulator's shape is not rows(a) x cols(b)");
  }
  const auto m = static_cast<std::uint64_t>(a.rows());
  const auto n = static_cast<std::uint64_t>(b.cols());
  const auto k = static_cast<std::uint64_t>(a.cols());
  pe_.compute(costs_.op_overhead_cycles + ceil_div(m * n * k, macs_per_cycle(costs_, a.dtype())),
              mac_work(a.dtype()), m * n * k);
  if (!is_float(a.dtype())) return integer_dot(a, b, accumulate);
  if (timing_only()) return Tile(a.rows(), b.cols(), DType::f32, false);
  // f32 accumulation over f16 / bf16 / f32 inputs (inputs are exact in float).
  std::vector<float> fa(a.values().begin(), a.values().end());
  std::vector<float> fb(b.values().begin(), b.values().end());
  std::vector<float> acc(m * n, 0.0f);
  if (accumulate != nullptr)
    std::copy(accumulate->values().begin(), accumulate->values().end(), acc.begin());
  for (std::uint64_t i = 0; i < m; ++i) {
    float* out = acc.data() + i * n;
    for (std::uint64_t p = 0; p < k; ++p) {
      const float x = fa[i * k + p];
      const float* row = fb.data() + p * n;
      for (std::uint64_t j = 0; j < n; ++j) out[j] += x * row[j];
    }
  }
  Tile result(a.rows(), b.cols(), DType::f32, true);
  for (std::uint64_t i = 0; i < m * n; ++i) {
    result.set_exact(static_cast<std::int64_t>(i / n), static_cast<std::int64_t>(i % n), acc[i]);
  }
  return result;
}

// Integer inputs accumulate exactly into i32 (products and sums are integers well inside a
// double's 53 bits); a sum outside the i32 range wraps as the device's adders would.
Tile KernelContext::integer_dot(const Tile& a, const Tile& b, const Tile* accumulate) {
  if (timing_only()) return Tile(a.rows(), b.cols(), DType::i32, false);
  const std::int64_t m = a.rows(), n = b.cols(), k = a.cols();
  Tile result(m, n, DType::i32, true);
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      double sum = accumulate != nullptr ? accumulate->at(i, j) : 0.0;
      for (std::int64_t p = 0; p < k; ++p) sum += a.at(i, p) * b.at(p, j);
      result.set(i, j, sum);
    }
  }
  return result;
}

Tile KernelContext::elementwise(const Tile& a, const Tile& b, double (*op)(double, double),
                                const char* name) {
  check_broadcast(a, b, name);
  charge_vector(a.size());
  Tile out(a.rows(), a.cols(), a.dtype(), !timing_only());
  if (timing_only()) return out;
  for (std::int64_t r = 0; r < a.rows(); ++r) {
    for (std::int64_t c = 0; c < a.cols(); ++c) out.set(r, c, op(a.at(r, c), broadcast(b, r, c)));
  }
  return out;
}

Tile KernelContext::unary(const Tile& a, const std::function<double(double)>& op) {
  charge_vector(a.size());
  Tile out(a.rows(), a.cols(), a.dtype(), !timing_only());
  if (timing_only()) return out;
  for (std::int64_t r = 0; r < a.rows(); ++r) {
    for (std::int64_t c = 0; c < a.cols(); ++c) out.set(r, c, op(a.at(r, c)));
  }
  return out;
}

Tile KernelContext::add(const Tile& a, const Tile& b) {
  return elementwise(
      a, b, [](double x, double y) { return x + y; }, "add");
}
Tile KernelContext::sub(const Tile& a, const Tile& b) {
  return elementwise(
      a, b, [](double x, double y) { return x - y; }, "sub");
}
Tile KernelContext::mul(const Tile& a, const Tile& b) {
  return elementwise(
      a, b, [](double x, double y) { return x * y; }, "mul");
}
Tile KernelContext::div(const Tile& a, const Tile& b) {
  return elementwise(
      a, b, [](double x, double y) { return x / y; }, "div");
}
Tile KernelContext::maximum(const Tile& a, const Tile& b) {
  return elementwise(
      a, b, [](double x, double y) { return std::max(x, y); }, "maximum");
}
Tile KernelContext::minimum(const Tile& a, const Tile& b) {
  return elementwise(
      a, b, [](double x, double y) { return std::min(x, y); }, "minimum");
}
Tile KernelContext::add(const Tile& a, double b) {
  return unary(a, [b](double x) { return x + b; });
}
Tile KernelContext::mul(const Tile& a, double b) {
  return unary(a, [b](double x) { return x * b; });
}
Tile KernelContext::exp(const Tile& a) {
  return unary(a, [](double x) { return std::exp(x); });
}
Tile KernelContext::log(const Tile& a) {
  return unary(a, [](double x) { return std::log(x); });
}
Tile KernelContext::sqrt(const Tile& a) {
  return unary(a, [](double x) { return std::sqrt(x); });
}
Tile KernelContext::cos(const Tile& a) {
  return unary(a, [](double x) { return std::cos(x); });
}
Tile KernelContext::sin(const Tile& a) {
  return unary(a, [](double x) { return std::sin(x); });
}
Tile KernelContext::silu(const Tile& a) {
  return unary(a, [](double x) { return x / (1.0 + std::exp(-x)); });
}
Tile KernelContext::gelu(const Tile& a) {
  return unary(a, [](double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); });
}

Tile KernelContext::row_max(const Tile& a) {
  charge_vector(a.size());
  Tile out(a.rows(), 1, a.dtype(), !timing_only());
  if (timing_only()) return out;
  for (std::int64_t r = 0; r < a.rows(); ++r) {
    double m = -INFINITY;
    for (std::int64_t c = 0; c < a.cols(); ++c) m = std::max(m, a.at(r, c));
    out.set(r, 0, m);
  }
  return out;
}

Tile KernelContext::row_sum(const Tile& a) {
  charge_vector(a.size());
  Tile out(a.rows(), 1, a.dtype(), !timing_only());
  if (timing_only()) return out;
  for (std::int64_t r = 0; r < a.rows(); ++r) {
    double s = 0.0;  // rounded to the dtype at each step, as the vector unit adds
    for (std::int64_t c = 0; c < a.cols(); ++c) s = round_to(a.dtype(), s + a.at(r, c));
    out.set(r, 0, s);
  }
  return out;
}

Tile KernelContext::sum(const Tile& a) {
  charge_vector(a.size());
  Tile out(1, 1, a.dtype(), !timing_only());
  if (timing_only()) return out;
  double s = 0.0;
  for (double v : a.values()) s = round_to(a.dtype(), s + v);
  out.set(0, 0, s);
  return out;
}

Tile KernelContext::cast(const Tile& a, DType dtype) {
  charge_vector(a.size());
  Tile out(a.rows(), a.cols(), dtype, !timing_only());
  if (timing_only()) return out;
  for (std::int64_t r = 0; r < a.rows(); ++r) {
    for (std::int64_t c = 0; c < a.cols(); ++c) out.set(r, c, a.at(r, c));
  }
  return out;
}

void KernelContext::charge_dequant(std::int64_t elements) {
  const auto n = static_cast<std::uint64_t>(elements);
  pe_.compute(
      costs_.op_overhead_cycles + ceil_div(n, static_cast<std::uint64_t>(costs_.dequant_per_cycle)),
      models::CoreWork::vector, n);
}

Tile KernelContext::dequantise(const Tile& codes, const Tile& scales, int bits, std::int64_t group,
                               std::int64_t row0, std::int64_t rows, DType dtype) {
  charge_dequant(rows * codes.cols());
  return runtime::dequantise(codes, scales, bits, group, row0, rows, dtype);
}

QuantisedTile KernelContext::quantise_rows(const Tile& rows, DType scale_dtype) {
  charge_vector(3 * rows.size());
  return runtime::quantise_rows(rows, scale_dtype);
}

Tile KernelContext::dequantise_rows(const Tile& codes, const Tile& scales, DType dtype) {
  charge_dequant(codes.size());
  return runtime::dequantise_rows(codes, scales, dtype);
}

Tile KernelContext::transpose(const Tile& a) {
  charge_vector(a.size());
  Tile out(a.cols(), a.rows(), a.dtype(), !timing_only());
  if (timing_only()) return out;
  for (std::int64_t r = 0; r < a.rows(); ++r) {
    for (std::int64_t c = 0; c < a.cols(); ++c) out.set_exact(c, r, a.at(r, c));
  }
  return out;
}

Tile KernelContext::full(std::int64_t rows, std::int64_t cols, DType dtype, double value) {
  return Tile(rows, cols, dtype, !timing_only(), value);
}

}  // namespace kb::runtime

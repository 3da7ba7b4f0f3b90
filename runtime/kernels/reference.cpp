#include "runtime/kernels/reference.h"

#include "runtime/kernel/tile.h"
#include "runtime/kernels/transformer_reference.h"

#include <fmt/format.h>

#include <cmath>

namespace kb::runtime {

std::int64_t cols_of(const HostTensor& t) { return t.shape().empty() ? 1 : t.shape().back(); }
std::int64_t rows_of(const HostTensor& t) {
  return static_cast<std::int64_t>(t.elements()) / std::max<std::int64_t>(1, cols_of(t));
}

Tile as_tile(const HostTensor& t) {
  return Tile::from_bytes(rows_of(t), cols_of(t), t.dtype(), t.bytes().data());
}

HostTensor from_tile(const Tile& tile, std::vector<std::int64_t> shape) {
  HostTensor t(std::move(shape), tile.dtype());
  tile.to_bytes(t.bytes().data());
  return t;
}

namespace {

template <class Fn>
HostTensor map2(const HostTensor& x, const HostTensor& y, DType out, Fn fn) {
  const Tile a = as_tile(x), b = as_tile(y);
  Tile r(a.rows(), a.cols(), out, true);
  for (std::int64_t i = 0; i < a.rows(); ++i)
    for (std::int64_t j = 0; j < a.cols(); ++j) r.set(i, j, fn(a.at(i, j), b.at(i, j)));
  return from_tile(r, x.shape());
}

}  // namespace

double element(const HostTensor& t, std::int64_t r, std::int64_t c) {
  const std::size_t item = itemsize(t.dtype());
  return decode(t.dtype(), t.bytes().data() + static_cast<std::size_t>(r * cols_of(t) + c) * item);
}

HostTensor reference_vector_add(const HostTensor& x, const HostTensor& y, DType out) {
  return map2(x, y, out, [](double a, double b) { return a + b; });
}

HostTensor reference_axpy(const HostTensor& x, const HostTensor& y, double alpha) {
  return map2(x, y, y.dtype(), [alpha](double a, double b) { return alpha * a + b; });
}

HostTensor reference_transpose(const HostTensor& src) {
  const Tile a = as_tile(src);
  Tile r(a.cols(), a.rows(), a.dtype(), true);
  for (std::int64_t i = 0; i < a.rows(); ++i)
    for (std::int64_t j = 0; j < a.cols(); ++j) r.set_exact(j, i, a.at(i, j));
  return from_tile(r, {a.cols(), a.rows()});
}

HostTensor reference_softmax(const HostTensor& x, DType out) {
  const Tile a = as_tile(x);
  Tile r(a.rows(), a.cols(), out, true);
  for (std::int64_t i = 0; i < a.rows(); ++i) {
    double m = -INFINITY, s = 0.0;
    for (std::int64_t j = 0; j < a.cols(); ++j) m = std::max(m, a.at(i, j));
    for (std::int64_t j = 0; j < a.cols(); ++j) s += std::exp(a.at(i, j) - m);
    for (std::int64_t j = 0; j < a.cols(); ++j) r.set(i, j, std::exp(a.at(i, j) - m) / s);
  }
  return from_tile(r, x.shape());
}

HostTensor reference_layernorm(const HostTensor& x, double eps, DType out) {
  return from_tile(reference_layernorm(as_tile(x), eps, out), x.shape());
}

HostTensor reference_reduce_sum(const HostTensor& x, DType out) {
  const Tile a = as_tile(x);
  Tile r(a.rows(), 1, out, true);
  for (std::int64_t i = 0; i < a.rows(); ++i) {
    double s = 0.0;
    for (std::int64_t j = 0; j < a.cols(); ++j) s += a.at(i, j);
    r.set(i, 0, s);
  }
  return from_tile(r, {a.rows(), 1});
}

HostTensor reference_gemm(const HostTensor& a, const HostTensor& b, DType out) {
  return from_tile(reference_matmul(as_tile(a), as_tile(b), out), {rows_of(a), cols_of(b)});
}

double unit_roundoff(DType dtype) {
  switch (dtype) {
    case DType::f32: return std::ldexp(1.0, -24);
    case DType::f16: return std::ldexp(1.0, -11);
    case DType::bf16: return std::ldexp(1.0, -8);
    default: return 0.0;
  }
}

Verification compare(const HostTensor& device, const HostTensor& reference,
                     const std::function<double(std::int64_t, std::int64_t)>& tolerance) {
  Verification v;
  if (device.shape() != reference.shape() || device.dtype() != reference.dtype()) {
    v.ok = false;
    v.first_failure = "shape or dtype differs from the reference";
    return v;
  }
  for (std::int64_t r = 0; r < rows_of(device); ++r) {
    for (std::int64_t c = 0; c < cols_of(device); ++c) {
      const double d = element(device, r, c), e = element(reference, r, c);
      const double err = (std::isnan(d) || std::isnan(e))
                             ? (std::isnan(d) && std::isnan(e) ? 0.0 : INFINITY)
                             : std::abs(d - e);
      v.max_abs_err = std::max(v.max_abs_err, err);
      const double tol = tolerance(r, c);
      if (err > tol && v.ok) {
        v.ok = false;
        v.first_failure =
            fmt::format("element ({}, {}): device {}, reference {}, tolerance {}", r, c, d, e, tol);
      }
    }
  }
  return v;
}

Verification compare_exact(const HostTensor& device, const HostTensor& reference) {
  return compare(device, reference, [](std::int64_t, std::int64_t) { return 0.0; });
}

Verification verify_elementwise(const HostTensor& device, const HostTensor& reference,
                                const HostTensor& x, const HostTensor& y) {
  const double u = unit_roundoff(device.dtype());
  const double u_in = std::max(unit_roundoff(x.dtype()), unit_roundoff(y.dtype()));
  return compare(device, reference, [&](std::int64_t r, std::int64_t c) {
    return 2 * u * std::abs(element(reference, r, c)) +
           u_in * (std::abs(element(x, r, c)) + std::abs(element(y, r, c)));
  });
}

Verification verify_gemm(const HostTensor& device, const HostTensor& reference, const HostTensor& a,
                         const HostTensor& b) {
  const Tile ta = as_tile(a), tb = as_tile(b);
  const double u32 = unit_roundoff(DType::f32);
  const double u_out = unit_roundoff(device.dtype());
  const auto n = static_cast<double>(ta.cols());
  return compare(device, reference, [&](std::int64_t r, std::int64_t c) {
    double magnitude = 0.0;
    for (std::int64_t p = 0; p < ta.cols(); ++p) magnitude += std::abs(ta.at(r, p) * tb.at(p, c));
    return (n + 2) * u32 * magnitude + 2 * u_out * std::abs(element(reference, r, c));
  });
}

Verification verify_softmax(const HostTensor& device, const HostTensor& reference) {
  const double u = unit_roundoff(device.dtype());
  const auto n = static_cast<double>(cols_of(device));
  return compare(device, reference, [&](std::int64_t r, std::int64_t c) {
    return (n + 8) * u * std::abs(element(reference, r, c)) + u;
  });
}

Verification verify_layernorm(const HostTensor& device, const HostTensor& reference) {
  const double u = std::max(unit_roundoff(device.dtype()), unit_roundoff(DType::f32));
  const auto n = static_cast<double>(cols_of(device));
  return compare(device, reference, [&](std::int64_t r, std::int64_t c) {
    return (n + 8) * u * (std::abs(element(reference, r, c)) + 1.0);
  });
}

Verification verify_reduce_sum(const HostTensor& device, const HostTensor& reference,
                               const HostTensor& x) {
  if (unit_roundoff(device.dtype()) == 0.0) return compare_exact(device, reference);
  const double u = unit_roundoff(device.dtype());
  const auto n = static_cast<double>(cols_of(x));
  return compare(device, reference, [&](std::int64_t r, std::int64_t) {
    double magnitude = 0.0;
    for (std::int64_t c = 0; c < cols_of(x); ++c) magnitude += std::abs(element(x, r, c));
    return (n + 1) * u * magnitude;
  });
}

}  // namespace kb::runtime

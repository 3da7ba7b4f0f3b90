#include "runtime/kernels/transformer_reference.h"

#include "runtime/kernel/quantisation.h"

#include <cmath>
#include <stdexcept>

namespace kb::runtime {

Tile reference_matmul(const Tile& a, const Tile& b, DType out, const Tile* bias) {
  Tile r(a.rows(), b.cols(), out, true);
  std::vector<double> row(static_cast<std::size_t>(b.cols()));
  for (std::int64_t i = 0; i < a.rows(); ++i) {
    for (std::int64_t j = 0; j < b.cols(); ++j)
      row[static_cast<std::size_t>(j)] = bias != nullptr ? bias->at(0, j) : 0.0;
    for (std::int64_t p = 0; p < a.cols(); ++p) {
      const double x = a.at(i, p);
      for (std::int64_t j = 0; j < b.cols(); ++j)
        row[static_cast<std::size_t>(j)] += x * b.at(p, j);
    }
    for (std::int64_t j = 0; j < b.cols(); ++j) r.set(i, j, row[static_cast<std::size_t>(j)]);
  }
  return r;
}

namespace {

// Each row of x scaled to unit RMS around `centre(row)` (0 for rmsnorm, the mean for
// layernorm).
template <class Centre>
Tile normalise(const Tile& x, double eps, DType out, Centre centre) {
  Tile r(x.rows(), x.cols(), out, true);
  const auto n = static_cast<double>(x.cols());
  for (std::int64_t i = 0; i < x.rows(); ++i) {
    const double c = centre(i);
    double square = 0.0;
    for (std::int64_t j = 0; j < x.cols(); ++j) square += (x.at(i, j) - c) * (x.at(i, j) - c);
    const double scale = 1.0 / std::sqrt(square / n + eps);
    for (std::int64_t j = 0; j < x.cols(); ++j) r.set(i, j, (x.at(i, j) - c) * scale);
  }
  return r;
}

template <class Fn>
Tile map(const Tile& x, const Tile& y, DType out, Fn fn) {
  Tile r(x.rows(), x.cols(), out, true);
  for (std::int64_t i = 0; i < x.rows(); ++i)
    for (std::int64_t j = 0; j < x.cols(); ++j) r.set(i, j, fn(x.at(i, j), y.at(i, j)));
  return r;
}

double silu(double x) { return x / (1.0 + std::exp(-x)); }

}  // namespace

Tile reference_rmsnorm(const Tile& x, double eps, DType out) {
  return normalise(x, eps, out, [](std::int64_t) { return 0.0; });
}

Tile reference_layernorm(const Tile& x, double eps, DType out) {
  return normalise(x, eps, out, [&](std::int64_t i) {
    double sum = 0.0;
    for (std::int64_t j = 0; j < x.cols(); ++j) sum += x.at(i, j);
    return sum / static_cast<double>(x.cols());
  });
}

Tile reference_rope(const Tile& x, std::int64_t seq_q, std::int64_t position0,
                    std::int64_t head_dim, double theta, DType out) {
  Tile r(x.rows(), x.cols(), out, true);
  const std::int64_t half = head_dim / 2;
  for (std::int64_t i = 0; i < x.rows(); ++i) {
    const auto position = static_cast<double>(position0 + i % seq_q);
    for (std::int64_t j = 0; j < half; ++j) {
      // The device holds the angle in f32.
      const double angle =
          round_to(DType::f32, position * std::pow(theta, -2.0 * static_cast<double>(j) /
                                                              static_cast<double>(head_dim)));
      const double c = std::cos(angle), s = std::sin(angle);
      for (std::int64_t head = 0; head < x.cols() / head_dim; ++head) {
        const std::int64_t a = head * head_dim + j, b = a + half;
        r.set(i, a, x.at(i, a) * c - x.at(i, b) * s);
        r.set(i, b, x.at(i, b) * c + x.at(i, a) * s);
      }
    }
  }
  return r;
}

Tile reference_add(const Tile& x, const Tile& y, DType out) {
  return map(x, y, out, [](double a, double b) { return a + b; });
}

Tile reference_silu_mul(const Tile& gate, const Tile& up, DType out) {
  return map(gate, up, out, [](double g, double u) { return silu(g) * u; });
}

Tile reference_gelu(const Tile& x, DType out) {
  return map(x, x, out,
             [](double a, double) { return 0.5 * a * (1.0 + std::erf(a / std::sqrt(2.0))); });
}

void reference_kv_append(const Tile& fresh, Tile& cache, const AttentionShape& s) {
  const std::int64_t d = cache.cols();
  const std::int64_t batch = fresh.rows() / s.seq_q;
  for (std::int64_t b = 0; b < batch; ++b)
    for (std::int64_t g = 0; g < s.kv_heads; ++g)
      for (std::int64_t i = 0; i < s.seq_q; ++i)
        for (std::int64_t c = 0; c < d; ++c)
          cache.set((b * s.kv_heads + g) * s.capacity + s.position0 + i, c,
                    fresh.at(b * s.seq_q + i, g * d + c));
}

Tile reference_kv_rounded(const Tile& fresh, std::int64_t head_dim, DType dtype) {
  Tile out(fresh.rows(), fresh.cols(), dtype, true);
  for (std::int64_t r = 0; r < fresh.rows(); ++r) {
    for (std::int64_t c0 = 0; c0 < fresh.cols(); c0 += head_dim) {
      const QuantisedTile q = quantise_rows(fresh.block(r, c0, 1, head_dim), dtype);
      const Tile back = dequantise_rows(q.codes, q.scales, dtype);
      for (std::int64_t c = 0; c < head_dim; ++c) out.set_exact(r, c0 + c, back.at(0, c));
    }
  }
  return out;
}

Tile reference_attention(const Tile& q, const Tile& k_cache, const Tile& v_cache,
                         const AttentionShape& s, double scale, DType probs, DType out) {
  const std::int64_t d = k_cache.cols();
  const std::int64_t heads = q.cols() / d, batch = q.rows() / s.seq_q;
  const std::int64_t group = heads / s.kv_heads;
  Tile r(q.rows(), q.cols(), out, true);
  std::vector<double> p(static_cast<std::size_t>(s.position0 + s.seq_q));
  for (std::int64_t b = 0; b < batch; ++b) {
    for (std::int64_t h = 0; h < heads; ++h) {
      const std::int64_t base = (b * s.kv_heads + h / group) * s.capacity;
      for (std::int64_t i = 0; i < s.seq_q; ++i) {
        const std::int64_t keys = s.position0 + i + 1, row = b * s.seq_q + i;
        double max = -INFINITY, sum = 0.0;
        for (std::int64_t j = 0; j < keys; ++j) {
          double dot = 0.0;
          for (std::int64_t c = 0; c < d; ++c)
            dot += q.at(row, h * d + c) * k_cache.at(base + j, c);
          p[static_cast<std::size_t>(j)] = scale * dot;
          max = std::max(max, p[static_cast<std::size_t>(j)]);
        }
        for (std::int64_t j = 0; j < keys; ++j) {
          p[static_cast<std::size_t>(j)] = std::exp(p[static_cast<std::size_t>(j)] - max);
          sum += p[static_cast<std::size_t>(j)];
        }
        for (std::int64_t c = 0; c < d; ++c) {
          double acc = 0.0;
          for (std::int64_t j = 0; j < keys; ++j)
            acc += round_to(probs, p[static_cast<std::size_t>(j)] / sum) * v_cache.at(base + j, c);
          r.set(row, h * d + c, acc);
        }
      }
    }
  }
  return r;
}

}  // namespace kb::runtime

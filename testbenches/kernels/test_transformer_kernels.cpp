// The transformer kernels against their host references (runtime/kernels/
// transformer_reference.h) under the tolerances of docs/kernels.md, over placements,
// dtypes, prefill and decode positions and grouped-query heads.
#include "runtime/host/host_program.h"
#include "runtime/kernel/quantisation.h"
#include "runtime/kernels/reference.h"
#include "runtime/kernels/transformer_reference.h"
#include "testbenches/harness/run_host.h"
#include "testbenches/harness/sim_test.h"

#include <fmt/format.h>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <random>

using namespace kb::runtime;
using kb::test::run_host;

namespace {

constexpr Split R = Split::replicate, Row = Split::row_wise, Col = Split::column_wise;
DPPolicy policy(Split cube, Split pe) { return DPPolicy{R, cube, pe, {}, {}, {}}; }
// The lowering's placements: rows or columns over as many cubes and PEs as divide them.
DPPolicy rows_over(RuntimeContext& ctx, std::int64_t rows) {
  return spread_over_sip(Row, rows, ctx.machine());
}
DPPolicy cols_over(RuntimeContext& ctx, std::int64_t cols) {
  return spread_over_sip(Col, cols, ctx.machine());
}

// Values in [-1, 1], exact in `dtype`.
Tile random_tile(std::int64_t rows, std::int64_t cols, DType dtype, std::mt19937& rng) {
  Tile t(rows, cols, dtype, true);
  std::uniform_real_distribution<double> real(-1.0, 1.0);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) t.set(r, c, real(rng));
  return t;
}

// A tensor every cube of SIP 0 reaches, as the lowering makes them: kernels read their
// operands wherever they live.
Tensor visible(RuntimeContext& ctx, const std::vector<std::int64_t>& shape, DType dtype,
               const DPPolicy& dp) {
  Tensor t = ctx.empty(shape, dtype, dp);
  ctx.share(t, 0);
  return t;
}

Tensor upload(RuntimeContext& ctx, const Tile& values, const DPPolicy& dp) {
  Tensor t = visible(ctx, {values.rows(), values.cols()}, values.dtype(), dp);
  ctx.copy_(t, from_tile(values, {values.rows(), values.cols()}));
  return t;
}

// |device - reference| <= rel_out * u_out * |reference| + absolute, element by element.
void expect_close(const Tensor& got, RuntimeContext& ctx, const Tile& ref, double rel_out,
                  double absolute, const std::string& what) {
  const HostTensor device = ctx.to_host(got);
  const HostTensor want = from_tile(ref, {ref.rows(), ref.cols()});
  const double u = unit_roundoff(ref.dtype());
  const Verification v = compare(device, want, [&](std::int64_t r, std::int64_t c) {
    return rel_out * u * std::abs(element(want, r, c)) + absolute;
  });
  BOOST_TEST(v.ok, what << ": " << v.first_failure);
}

const double u32 = std::ldexp(1.0, -24);

void check_row_and_elementwise_kernels(RuntimeContext& ctx) {
  std::mt19937 rng(5);
  const std::int64_t n = ctx.machine().cubes_per_sip * ctx.machine().pes_per_cube;
  const std::int64_t rows = 2 * n, d = 8, cols = 4 * d;
  for (DType dtype : {DType::f32, DType::f16}) {
    const std::string type = to_string(dtype);
    const Tile x = random_tile(rows, cols, dtype, rng), y = random_tile(rows, cols, dtype, rng);
    for (const DPPolicy& dp : {policy(Row, Row), cols_over(ctx, cols), policy(Row, Col)}) {
      const std::string what = type + " " + dp.to_string();
      Tensor tx = upload(ctx, x, dp), ty = upload(ctx, y, dp);
      Tensor out = visible(ctx, {rows, cols}, dtype, dp);
      if (dp.pe == Row && dp.cube == Row) {  // the row kernels keep whole rows
        ctx.launch("rmsnorm", {tx, out, 1e-5});
        expect_close(out, ctx, reference_rmsnorm(x, 1e-5, dtype), 2,
                     (static_cast<double>(cols) + 8) * u32 * 4, "rmsnorm " + what);
      }
      ctx.launch("rope", {tx, out, 4, 3, d, 10000.0});
      expect_close(out, ctx, reference_rope(x, 4, 3, d, 10000.0, dtype), 2, 16 * u32,
                   "rope " + what);
      ctx.launch("silu_mul", {tx, ty, out});
      expect_close(out, ctx, reference_silu_mul(x, y, dtype), 2, 16 * u32, "silu_mul " + what);
      ctx.launch("gelu", {tx, out});
      expect_close(out, ctx, reference_gelu(x, dtype), 2, 16 * u32, "gelu " + what);
      for (Tensor* t : {&tx, &ty, &out}) ctx.free(*t);
    }
  }
}

// Each token's values of each kv head of `fresh` quantised with a scale of their own, as
// kv_append quantises them into an int8 cache: codes [tokens, kv_heads * d], scales
// [tokens, kv_heads].
QuantisedTile quantise_heads(const Tile& fresh, std::int64_t d, DType dtype) {
  const std::int64_t heads = fresh.cols() / d;
  QuantisedTile out{Tile(fresh.rows(), fresh.cols(), DType::i8, true),
                    Tile(fresh.rows(), heads, dtype, true)};
  for (std::int64_t r = 0; r < fresh.rows(); ++r) {
    for (std::int64_t g = 0; g < heads; ++g) {
      const QuantisedTile q = quantise_rows(fresh.block(r, g * d, 1, d), dtype);
      out.scales.set_exact(r, g, q.scales.at(0, 0));
      for (std::int64_t c = 0; c < d; ++c) out.codes.set_exact(r, g * d + c, q.codes.at(0, c));
    }
  }
  return out;
}

// kv_append, attention_scores, causal_softmax and attention_pv in a row, as the lowering
// chains them, against reference_attention; and attention_fused over the same caches,
// against it too, its log-sum-exp against the host's. An int8 cache: kv_append's codes
// and scales exactly the host's, attention over what they give back.
void check_attention(RuntimeContext& ctx, std::int64_t batch, std::int64_t heads,
                     std::int64_t kv_heads, std::int64_t seq_q, std::int64_t position0, DType dtype,
                     bool spread_rows, bool int8 = false) {
  std::mt19937 rng(static_cast<std::uint32_t>(7 + heads + seq_q + position0));
  const std::int64_t d = 8, capacity = position0 + seq_q + 2, keys = position0 + seq_q;
  const AttentionShape shape{seq_q, position0, kv_heads, capacity};
  const Tile q = random_tile(batch * seq_q, heads * d, dtype, rng);
  const Tile k_new = random_tile(batch * seq_q, kv_heads * d, dtype, rng);
  const Tile v_new = random_tile(batch * seq_q, kv_heads * d, dtype, rng);
  Tile k_cache = random_tile(batch * kv_heads * capacity, d, dtype, rng);
  Tile v_cache = random_tile(batch * kv_heads * capacity, d, dtype, rng);
  Tensor tq = upload(ctx, q, cols_over(ctx, heads * d));
  Tensor tk = upload(ctx, k_new, rows_over(ctx, batch * seq_q));
  Tensor tv = upload(ctx, v_new, cols_over(ctx, kv_heads * d));
  const std::int64_t score_rows = batch * heads * seq_q;
  // The cache and the scores rows spread as far as they divide, or each whole on one PE.
  const DPPolicy one_pe{R, R, R, {}, 1, 1};
  const DPPolicy rows = spread_rows ? rows_over(ctx, batch * kv_heads * capacity) : one_pe;
  const DPPolicy score_placement = spread_rows ? rows_over(ctx, score_rows) : one_pe;
  QuantisedTile kq, vq;
  if (int8) {
    kq = quantise_rows(k_cache, dtype);
    vq = quantise_rows(v_cache, dtype);
    k_cache = dequantise_rows(kq.codes, kq.scales, dtype);
    v_cache = dequantise_rows(vq.codes, vq.scales, dtype);
  }
  Tensor kc = upload(ctx, int8 ? kq.codes : k_cache, rows);
  Tensor vc = upload(ctx, int8 ? vq.codes : v_cache, rows);
  // (A cache in the dtype takes none: a placeholder.)
  Tensor ks = upload(ctx, int8 ? kq.scales : Tile(1, 1, dtype, true), int8 ? rows : one_pe);
  Tensor vs = upload(ctx, int8 ? vq.scales : Tile(1, 1, dtype, true), int8 ? rows : one_pe);
  // A cache's arguments: an int8 cache's scales after it.
  auto cache = [&](const Tensor& c, const Tensor& scales) {
    return int8 ? std::vector<LaunchArg>{c, scales} : std::vector<LaunchArg>{c};
  };
  auto args = [](std::initializer_list<std::vector<LaunchArg>> parts) {
    std::vector<LaunchArg> all;
    for (const auto& part : parts) all.insert(all.end(), part.begin(), part.end());
    return all;
  };
  const std::vector<LaunchArg> geometry = {seq_q, position0, kv_heads};
  Tensor scores = visible(ctx, {score_rows, keys}, DType::f32, score_placement);
  Tensor probs = visible(ctx, {score_rows, keys}, dtype, score_placement);
  Tensor out = visible(ctx, {batch * seq_q, heads * d}, dtype, cols_over(ctx, heads * d));
  ctx.launch("kv_append", args({{tk}, cache(kc, ks), geometry}));
  ctx.launch("kv_append", args({{tv}, cache(vc, vs), geometry}));
  ctx.launch("attention_scores",
             args({{tq}, cache(kc, ks), {scores}, geometry, {1.0 / std::sqrt(d)}}));
  ctx.launch("causal_softmax", {scores, probs, seq_q, position0, kv_heads});
  ctx.launch("attention_pv", args({{probs}, cache(vc, vs), {out}, geometry}));
  const std::string what =
      fmt::format("batch {} heads {}/{} seq_q {} from {} {} {}{}", batch, heads, kv_heads, seq_q,
                  position0, to_string(dtype), rows.to_string(), int8 ? " int8 cache" : "");
  if (int8) {
    // The codes and scales the host makes of the new rows, appended as the kernel does.
    const QuantisedTile kn = quantise_heads(k_new, d, dtype);
    reference_kv_append(kn.codes, kq.codes, shape);
    reference_kv_append(kn.scales, kq.scales, shape);
    expect_close(kc, ctx, kq.codes, 0, 0, "kv_append codes " + what);
    expect_close(ks, ctx, kq.scales, 0, 0, "kv_append scales " + what);
  }
  reference_kv_append(int8 ? reference_kv_rounded(k_new, d, dtype) : k_new, k_cache, shape);
  reference_kv_append(int8 ? reference_kv_rounded(v_new, d, dtype) : v_new, v_cache, shape);
  if (!int8) expect_close(kc, ctx, k_cache, 0, 0, "kv_append " + what);
  // Probabilities round to the dtype (4 u each, at most 1); scores and sums add f32
  // errors over the head dimension and the keys; values are at most 1.
  const double u = unit_roundoff(dtype);
  expect_close(out, ctx,
               reference_attention(q, k_cache, v_cache, shape, 1.0 / std::sqrt(d), dtype, dtype), 2,
               4 * u + static_cast<double>(d + keys + 8) * u32 * 4, "attention " + what);

  Tensor fused = visible(ctx, {batch * seq_q, heads * d}, dtype, cols_over(ctx, heads * d));
  Tensor lse = visible(ctx, {score_rows, 1}, DType::f32, score_placement);
  ctx.launch(
      "attention_fused",
      args({{tq}, cache(kc, ks), cache(vc, vs), {fused, lse}, geometry, {1.0 / std::sqrt(d)}}));
  // Unnormalised probabilities round to the dtype (at most 1, u each) before P V; the sum
  // and the division in f32.
  expect_close(fused, ctx,
               reference_attention(q, k_cache, v_cache, shape, 1.0 / std::sqrt(d), dtype, dtype), 2,
               4 * u + static_cast<double>(d + keys + 8) * u32 * 4, "attention_fused " + what);
  Tile expected_lse(score_rows, 1, DType::f32, true);
  for (std::int64_t row = 0; row < score_rows; ++row) {
    const std::int64_t b = row / (heads * seq_q), h = row / seq_q % heads, i = row % seq_q;
    const std::int64_t base = (b * kv_heads + h / (heads / kv_heads)) * capacity;
    std::vector<double> s(static_cast<std::size_t>(position0 + i + 1));
    for (std::size_t j = 0; j < s.size(); ++j) {
      for (std::int64_t c = 0; c < d; ++c)
        s[j] += q.at(b * seq_q + i, h * d + c) * k_cache.at(base + static_cast<std::int64_t>(j), c);
      s[j] /= std::sqrt(d);
    }
    const double max = *std::max_element(s.begin(), s.end());
    double sum = 0;
    for (double x : s) sum += std::exp(x - max);
    expected_lse.set(row, 0, max + std::log(sum));
  }
  expect_close(lse, ctx, expected_lse, 2, static_cast<double>(d + keys + 8) * u32 * 4,
               "attention_fused lse " + what);
  for (Tensor* t : {&tq, &tk, &tv, &kc, &vc, &ks, &vs, &scores, &probs, &out, &fused, &lse})
    ctx.free(*t);
}

void check_attention_cases(RuntimeContext& ctx) {
  for (DType dtype : {DType::f32, DType::f16}) {
    // Prefill (position 0, several queries) and decode (one query after a cache), with
    // grouped-query heads; placements that split the rows or keep a head's cache whole.
    check_attention(ctx, 2, 4, 2, 6, 0, dtype, true);
    check_attention(ctx, 2, 4, 4, 1, 9, dtype, true);
    check_attention(ctx, 1, 6, 2, 3, 70, dtype, false);
    check_attention(ctx, 2, 2, 1, 80, 0, dtype, true);   // query tiles of 64
    check_attention(ctx, 1, 2, 1, 4, 300, dtype, true);  // key tiles of 256
    check_attention(ctx, 2, 4, 2, 6, 0, dtype, true, true);
    check_attention(ctx, 1, 2, 1, 4, 300, dtype, true, true);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(row_rope_and_activation_kernels_match_references_on_tiny) {
  run_host(kb::test::config("tiny.yaml"), check_row_and_elementwise_kernels);
}

BOOST_AUTO_TEST_CASE(row_rope_and_activation_kernels_match_references_on_default) {
  run_host(kb::test::config("topology.yaml"), check_row_and_elementwise_kernels);
}

BOOST_AUTO_TEST_CASE(attention_matches_reference_on_tiny) {
  run_host(kb::test::config("tiny.yaml"), check_attention_cases);
}

BOOST_AUTO_TEST_CASE(attention_matches_reference_on_default) {
  run_host(kb::test::config("topology.yaml"), check_attention_cases);
}

// A geometry that does not add up stops the run with the kernel's reason.
BOOST_AUTO_TEST_CASE(attention_kernels_reject_a_cache_too_short_for_the_positions) {
  std::string failure;
  try {
    run_host(kb::test::config("tiny.yaml"), [](RuntimeContext& ctx) {
      Tensor q = ctx.zeros({4, 16}, DType::f32, policy(Row, Row));
      Tensor cache = ctx.zeros({12, 8}, DType::f32, policy(Row, Row));
      Tensor scores = ctx.zeros({8, 7}, DType::f32, policy(Row, Row));
      ctx.launch("attention_scores", {q, cache, scores, 2, 5, 1, 1.0});
    });
  } catch (const kb::models::SimulationError& e) {
    failure = e.what();
  }
  BOOST_TEST(
      failure.find("attention_scores: positions up to 7 in a cache of 6") != std::string::npos,
      failure);
}

// The gemm bench: C = A . B over every PE, verified on a sample of elements.
#include "testbenches/benches/bench.h"

#include "runtime/bound/tensor_traffic.h"
#include "runtime/kernels/gemm.h"
#include "runtime/kernels/kernel_work.h"

#include <fmt/format.h>

#include <random>

namespace kb::bench {

namespace {

class GemmBench : public Bench {
 public:
  std::string name() const override { return "gemm"; }
  std::string description() const override {
    return "C = A . B on every PE (C rows over SIPs and cubes, columns over PEs), tiled through "
           "TCM";
  }
  std::vector<Param> params() const override {
    return {{"M", "1024", "rows of A and C"},
            {"N", "1024", "columns of B and C"},
            {"K", "1024", "columns of A, rows of B"},
            {"dtype", "f16", "input dtype: f16, bf16, f32 or i8"},
            {"out", "auto", "output dtype: f32 (or f16, bf16) for float inputs, i32 for i8; auto"},
            {"a_in", "hbm",
             "where A lives: hbm (a copy in every PE's slice) or sram (one copy per cube, "
             "read by all its PEs)"}};
  }
  Footprint check(const Params& params, const platform::Topology& topology) const override {
    const DType in = params.dtype("dtype");
    const std::string a_in = params.text("a_in");
    if (a_in != "hbm" && a_in != "sram") {
      throw BenchUsageError("--param a_in=" + a_in + ": expected hbm or sram");
    }
    if (!runtime::gemm_output_allowed(in, output(params))) {
      throw BenchUsageError(fmt::format("--param dtype={} out={}: {}", params.text("dtype"),
                                        params.text("out"), runtime::kGemmTypes));
    }
    const std::int64_t m = params.integer("M"), n = params.integer("N"), k = params.integer("K");
    const runtime::MemoryKind a_kind =
        a_in == "sram" ? runtime::MemoryKind::sram : runtime::MemoryKind::hbm;
    auto named = [&](const char* t, const char* rows, const char* cols) {
      return fmt::format("{} (--param {}={} {}={})", t, rows, params.text(rows), cols,
                         params.text(cols));
    };
    Footprint f = check_placement(topology, named("A", "M", "K"), {m, k}, in,
                                  DPPolicy{Row, Row, R, {}, {}, {}, a_kind});
    f += check_placement(topology, named("B", "K", "N"), {k, n}, in, DPPolicy{R, R, Col});
    f += check_placement(topology, named("C", "M", "N"), {m, n}, output(params),
                         DPPolicy{Row, Row, Col});
    return f;
  }
  // The result dtype: as given, or what the inputs accumulate into.
  static DType output(const Params& params) {
    if (params.text("out") != "auto") return params.dtype("out");
    return runtime::is_float(params.dtype("dtype")) ? DType::f32 : DType::i32;
  }
  void run(runtime::RuntimeContext& ctx, const Params& params, bool timing_only,
           Outcome& out) const override {
    const std::int64_t m = params.integer("M"), n = params.integer("N"), k = params.integer("K");
    const DType in = params.dtype("dtype"), result = output(params);
    const HostTensor ha = bench_data({m, k}, in, timing_only, 1);
    const HostTensor hb = bench_data({k, n}, in, timing_only, 2);
    const runtime::MemoryKind a_in =
        params.text("a_in") == "sram" ? runtime::MemoryKind::sram : runtime::MemoryKind::hbm;
    Tensor a = upload(ctx, ha, DPPolicy{Row, Row, R, {}, {}, {}, a_in}, "A");
    Tensor b = upload(ctx, hb, DPPolicy{R, R, Col}, "B");
    Tensor c = ctx.empty({m, n}, result, DPPolicy{Row, Row, Col}, "C");
    const std::vector<runtime::LaunchArg> args{a, b, c};
    out.measure([&] { return ctx.launch("gemm", args); });
    const HostTensor hc = ctx.to_host(c);
    // Each PE reads its cube's rows of A (from its own slice, or the cube's SRAM) and its
    // columns of B (replicated into its own slice: B once per cube), writes its C block
    // and does the products of its block.
    const runtime::KernelWork work = runtime::kernel_work("gemm", args);
    runtime::Traffic traffic(ctx.topology());
    runtime::own_shards(traffic, a, runtime::Direction::read);
    runtime::own_shards(traffic, b, runtime::Direction::read);
    runtime::own_shards(traffic, c, runtime::Direction::write);
    runtime::compute_share(traffic, work, c);
    for (const runtime::DeviceShard& s : c.shards()) {
      // Every element of its A rows and B columns is staged into its TCM and read back at
      // least once.
      const auto item = static_cast<double>(runtime::itemsize(in));
      traffic.tcm({s.sip, s.cube, s.pe}, 2 * item * static_cast<double>(s.rows * k + k * s.cols));
    }
    set_traffic_bound(out, traffic);
    out.flops = work.matrix_flops();
    if (timing_only) return;
    // A sample of elements against a double-precision reference (a full one is O(MNK)).
    std::mt19937 rng(3);
    out.verified = true;
    for (int s = 0; s < 512; ++s) {
      const std::int64_t r = std::uniform_int_distribution<std::int64_t>(0, m - 1)(rng);
      const std::int64_t col = std::uniform_int_distribution<std::int64_t>(0, n - 1)(rng);
      double ref = 0, magnitude = 0;
      for (std::int64_t p = 0; p < k; ++p) {
        const double x = runtime::element(ha, r, p) * runtime::element(hb, p, col);
        ref += x;
        magnitude += std::abs(x);
      }
      const double got = runtime::element(hc, r, col);
      const double err = std::abs(got - ref);
      // Integer products accumulate exactly; float ones within f32 rounding.
      const double tol =
          runtime::is_float(in)
              ? (static_cast<double>(k) + 2) * runtime::unit_roundoff(DType::f32) * magnitude +
                    2 * runtime::unit_roundoff(result) * std::abs(ref)
              : 0.0;
      out.verification.max_abs_err = std::max(out.verification.max_abs_err, err);
      if (err > tol && out.verification.ok) {
        out.verification.ok = false;
        out.verification.first_failure =
            fmt::format("C({}, {}): device {}, reference {}, tolerance {}", r, col, got, ref, tol);
      }
    }
  }
};

}  // namespace

KB_REGISTER_BENCH(gemm, std::make_unique<GemmBench>());

}  // namespace kb::bench

// Benches of the builtin kernels: gemm, vector_add, memcpy, softmax, layernorm.
#include "testbenches/benches/bench.h"

#include "runtime/bound/tensor_traffic.h"
#include "runtime/kernels/gemm.h"
#include "runtime/kernels/kernel_work.h"

#include <fmt/format.h>

#include <random>

namespace kb::bench {

using runtime::DPPolicy;
using runtime::DType;
using runtime::HostTensor;
using runtime::Split;
using runtime::Tensor;

namespace {

constexpr Split R = Split::replicate, Row = Split::row_wise, Col = Split::column_wise;
DPPolicy policy(Split sip, Split cube, Split pe) { return DPPolicy{sip, cube, pe, {}, {}, {}}; }

Tensor upload(runtime::RuntimeContext& ctx, const HostTensor& host, const DPPolicy& dp,
              const std::string& name) {
  Tensor t = ctx.empty(host.shape(), host.dtype(), dp, name);
  ctx.copy_(t, host);
  return t;
}

void set_bound(Outcome& out, const runtime::Traffic& traffic) {
  out.bound_model = "traffic";
  out.bound = traffic.bound();
}

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
    Footprint f =
        check_placement(topology, "A", {m, k}, in, DPPolicy{Row, Row, R, {}, {}, {}, a_kind});
    f += check_placement(topology, "B", {k, n}, in, policy(R, R, Col));
    f += check_placement(topology, "C", {m, n}, output(params), policy(Row, Row, Col));
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
    Tensor b = upload(ctx, hb, policy(R, R, Col), "B");
    Tensor c = ctx.empty({m, n}, result, policy(Row, Row, Col), "C");
    const std::vector<runtime::LaunchArg> args{a, b, c};
    out.measure([&] { return ctx.launch_and_wait("gemm", args); });
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
    set_bound(out, traffic);
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

class VectorAddBench : public Bench {
 public:
  std::string name() const override { return "vector_add"; }
  std::string description() const override {
    return "out = x + y over a 1-D tensor split over every cube and PE (HBM-bandwidth bound)";
  }
  std::vector<Param> params() const override {
    return {{"elements", "16M", "elements of each vector"}, {"dtype", "f32", "element type"}};
  }
  Footprint check(const Params& params, const platform::Topology& topology) const override {
    Footprint x = check_placement(topology, "x", {params.integer("elements")},
                                  params.dtype("dtype"), policy(Col, Col, Col));
    x.device_bytes *= 3;  // x, y and out
    return x;
  }
  void run(runtime::RuntimeContext& ctx, const Params& params, bool timing_only,
           Outcome& out) const override {
    const std::int64_t n = params.integer("elements");
    const DType dtype = params.dtype("dtype");
    const DPPolicy dp = policy(Col, Col, Col);
    const HostTensor hx = bench_data({n}, dtype, timing_only, 1);
    const HostTensor hy = bench_data({n}, dtype, timing_only, 2);
    Tensor x = upload(ctx, hx, dp, "x"), y = upload(ctx, hy, dp, "y");
    Tensor z = ctx.empty({n}, dtype, dp, "out");
    const std::vector<runtime::LaunchArg> args{x, y, z};
    out.measure([&] { return ctx.launch_and_wait("vector_add", args); });
    const HostTensor hz = ctx.to_host(z);
    const runtime::KernelWork work = runtime::kernel_work("vector_add", args);
    runtime::Traffic traffic(ctx.topology());
    runtime::own_shards(traffic, x, runtime::Direction::read);
    runtime::own_shards(traffic, y, runtime::Direction::read);
    runtime::own_shards(traffic, z, runtime::Direction::write);
    runtime::compute_share(traffic, work, z);
    set_bound(out, traffic);
    out.bytes = work.total_bytes();
    if (timing_only) return;
    out.verified = true;
    const HostTensor ref = runtime::reference_vector_add(hx, hy, dtype);
    out.verification = runtime::is_float(dtype) ? runtime::verify_elementwise(hz, ref, hx, hy)
                                                : runtime::compare_exact(hz, ref);
  }
};

class MemcpyBench : public Bench {
 public:
  std::string name() const override { return "memcpy"; }
  std::string description() const override {
    return "HBM to HBM copy: route=cross_cube (all-to-all between cubes) or cross_sip (SIP 0 to "
           "SIP 1)";
  }
  std::vector<Param> params() const override {
    return {{"bytes", "64M", "bytes to copy"}, {"route", "cross_cube", "cross_cube or cross_sip"}};
  }
  Footprint check(const Params& params, const platform::Topology& topology) const override {
    const std::string route = params.text("route");
    if (route != "cross_cube" && route != "cross_sip") {
      throw BenchUsageError("--param route=" + route + ": expected cross_cube or cross_sip");
    }
    if (route == "cross_sip" && topology.system.sips.count < 2) {
      throw BenchUsageError(
          "route=cross_sip needs at least 2 SIPs (e.g. --topology configs/multi_sip.yaml)");
    }
    if (params.integer("bytes") % 4096 != 0)
      throw BenchUsageError("--param bytes must be a multiple of 4096");
    const std::vector<std::int64_t> shape{params.integer("bytes") / 4 / 1024, 1024};
    Footprint f = check_placement(topology, "src", shape, DType::f32, policy(R, Row, Col));
    // cross_sip copies into the same layout on another SIP.
    f += route == "cross_cube"
             ? check_placement(topology, "dst", shape, DType::f32, policy(R, Col, Row))
             : f;
    return f;
  }
  void run(runtime::RuntimeContext& ctx, const Params& params, bool timing_only,
           Outcome& out) const override {
    const std::int64_t bytes = params.integer("bytes");
    const std::string route = params.text("route");
    const runtime::MachineShape& m = ctx.machine();
    const std::int64_t cols = 1024;
    const std::int64_t rows = bytes / 4 / cols;
    const HostTensor hs = bench_data({rows, cols}, DType::f32, timing_only, 1);
    Tensor src, dst;
    if (route == "cross_cube") {
      src = upload(ctx, hs, policy(R, Row, Col), "src");
      dst = ctx.empty({rows, cols}, DType::f32, policy(R, Col, Row), "dst");
    } else {  // cross_sip; check() admitted no other route
      ctx.ahbm.set_device(static_cast<std::uint32_t>(m.first_sip));
      src = upload(ctx, hs, policy(R, Row, Col), "src");
      ctx.ahbm.set_device(static_cast<std::uint32_t>(m.first_sip + 1));
      dst = ctx.empty({rows, cols}, DType::f32, policy(R, Row, Col), "dst");
      ctx.share(src, static_cast<std::uint32_t>(m.first_sip + 1));
    }
    out.bytes = static_cast<double>(bytes);  // the size copied (the kernel moves it twice)
    out.measure([&] { return ctx.launch_and_wait("memcpy", {src, dst}); });
    // Every PE of dst reads its block from wherever src holds it, and writes it.
    runtime::Traffic traffic(ctx.topology());
    runtime::copy_blocks(traffic, src, dst);
    set_bound(out, traffic);
    const HostTensor hd = ctx.to_host(dst);
    if (timing_only) return;
    out.verified = true;
    out.verification = runtime::compare_exact(hd, hs);
  }
};

// softmax and layernorm: rows over cubes and PEs, whole rows per PE.
class RowBench : public Bench {
 public:
  explicit RowBench(std::string kernel) : kernel_(std::move(kernel)) {}
  std::string name() const override { return kernel_; }
  std::string description() const override {
    return "row " + kernel_ + ", rows split over cubes and PEs";
  }
  std::vector<Param> params() const override {
    return {{"rows", "4096", "rows"},
            {"cols", "1024", "columns (kept whole on each PE)"},
            {"dtype", "f32", "f32 or f16"}};
  }
  Footprint check(const Params& params, const platform::Topology& topology) const override {
    const DType dtype = params.dtype("dtype");
    if (dtype != DType::f32 && dtype != DType::f16) {
      throw BenchUsageError(
          fmt::format("--param dtype={}: {} takes f32 or f16", params.text("dtype"), kernel_));
    }
    Footprint x = check_placement(topology, "x", {params.integer("rows"), params.integer("cols")},
                                  dtype, policy(Row, Row, Row));
    x.device_bytes *= 2;  // x and y
    return x;
  }
  void run(runtime::RuntimeContext& ctx, const Params& params, bool timing_only,
           Outcome& out) const override {
    const std::int64_t rows = params.integer("rows"), cols = params.integer("cols");
    const DType dtype = params.dtype("dtype");
    const DPPolicy dp = policy(Row, Row, Row);
    const HostTensor hx = bench_data({rows, cols}, dtype, timing_only, 1);
    Tensor x = upload(ctx, hx, dp, "x");
    Tensor y = ctx.empty({rows, cols}, dtype, dp, "y");
    const bool softmax = kernel_ == "softmax";
    const std::vector<runtime::LaunchArg> args = softmax
                                                     ? std::vector<runtime::LaunchArg>{x, y}
                                                     : std::vector<runtime::LaunchArg>{x, y, 1e-5};
    out.measure([&] { return ctx.launch_and_wait(kernel_, args); });
    const HostTensor hy = ctx.to_host(y);
    const runtime::KernelWork work = runtime::kernel_work(kernel_, args);
    runtime::Traffic traffic(ctx.topology());
    runtime::own_shards(traffic, x, runtime::Direction::read);
    runtime::own_shards(traffic, y, runtime::Direction::write);
    runtime::compute_share(traffic, work, y);
    set_bound(out, traffic);
    out.bytes = work.total_bytes();
    if (timing_only) return;
    out.verified = true;
    out.verification =
        softmax ? runtime::verify_softmax(hy, runtime::reference_softmax(hx, dtype))
                : runtime::verify_layernorm(hy, runtime::reference_layernorm(hx, 1e-5, dtype));
  }

 private:
  std::string kernel_;
};

}  // namespace

std::vector<std::unique_ptr<Bench>> kernel_benches() {
  std::vector<std::unique_ptr<Bench>> all;
  all.push_back(std::make_unique<GemmBench>());
  all.push_back(std::make_unique<VectorAddBench>());
  all.push_back(std::make_unique<MemcpyBench>());
  all.push_back(std::make_unique<RowBench>("softmax"));
  all.push_back(std::make_unique<RowBench>("layernorm"));
  return all;
}

std::vector<std::unique_ptr<Bench>> collective_benches();  // collective_benches.cpp
std::vector<std::unique_ptr<Bench>> workload_benches();    // llm_bench.cpp (llm, chakra)

const std::vector<std::unique_ptr<Bench>>& benches() {
  static const std::vector<std::unique_ptr<Bench>> all = [] {
    std::vector<std::unique_ptr<Bench>> list = kernel_benches();
    for (auto& b : collective_benches()) list.push_back(std::move(b));
    for (auto& b : workload_benches()) list.push_back(std::move(b));
    return list;
  }();
  return all;
}

}  // namespace kb::bench

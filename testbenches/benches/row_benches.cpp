// The row kernels' benches, softmax and layernorm: rows over cubes and PEs, whole rows per PE.
#include "testbenches/benches/bench.h"

#include "runtime/bound/tensor_traffic.h"
#include "runtime/kernels/kernel_work.h"

#include <fmt/format.h>

namespace kb::bench {

namespace {

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
    Footprint x = check_placement(
        topology,
        fmt::format("x (--param rows={} cols={})", params.text("rows"), params.text("cols")),
        {params.integer("rows"), params.integer("cols")}, dtype, DPPolicy{Row, Row, Row});
    const Footprint y = x;  // the same shape and placement
    return x += y;
  }
  void run(runtime::RuntimeContext& ctx, const Params& params, bool timing_only,
           Outcome& out) const override {
    const std::int64_t rows = params.integer("rows"), cols = params.integer("cols");
    const DType dtype = params.dtype("dtype");
    const DPPolicy dp = DPPolicy{Row, Row, Row};
    const HostTensor hx = bench_data({rows, cols}, dtype, timing_only, 1);
    Tensor x = upload(ctx, hx, dp, "x");
    Tensor y = ctx.empty({rows, cols}, dtype, dp, "y");
    const bool softmax = kernel_ == "softmax";
    const std::vector<runtime::LaunchArg> args = softmax
                                                     ? std::vector<runtime::LaunchArg>{x, y}
                                                     : std::vector<runtime::LaunchArg>{x, y, 1e-5};
    out.measure([&] { return ctx.launch(kernel_, args); });
    const HostTensor hy = ctx.to_host(y);
    const runtime::KernelWork work = runtime::kernel_work(kernel_, args);
    runtime::Traffic traffic(ctx.topology());
    runtime::own_shards(traffic, x, runtime::Direction::read);
    runtime::own_shards(traffic, y, runtime::Direction::write);
    runtime::compute_share(traffic, work, y);
    set_traffic_bound(out, traffic);
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

KB_REGISTER_BENCH(softmax, std::make_unique<RowBench>("softmax"));
KB_REGISTER_BENCH(layernorm, std::make_unique<RowBench>("layernorm"));

}  // namespace kb::bench

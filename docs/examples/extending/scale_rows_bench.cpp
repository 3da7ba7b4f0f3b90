// The scale_rows bench: a new bench is this one file. It places its tensors, runs the
// kernel as the measured work, states the bound of that work from the kernel's declared
// work and the tensors' placements, and verifies the result against a host reference.
#include "testbenches/benches/bench.h"

#include "runtime/bound/tensor_traffic.h"
#include "runtime/kernels/kernel_work.h"

namespace kb::bench {

namespace {

class ScaleRowsBench : public Bench {
 public:
  std::string name() const override { return "scale_rows"; }
  std::string description() const override {
    return "out = x scaled row by row, rows over cubes, columns over PEs";
  }
  std::vector<Param> params() const override {
    return {{"rows", "1024", "rows of x"}, {"cols", "1024", "columns of x"}};
  }
  Footprint check(const Params& params, const platform::Topology& topology) const override {
    const std::vector<std::int64_t> shape{params.integer("rows"), params.integer("cols")};
    Footprint f = check_placement(topology, "x", shape, runtime::DType::f32, {R, Row, Col});
    f += check_placement(topology, "out", shape, runtime::DType::f32, {R, Row, Col});
    return f;
  }
  void run(runtime::RuntimeContext& ctx, const Params& params, bool timing_only,
           Outcome& out) const override {
    const std::int64_t rows = params.integer("rows"), cols = params.integer("cols");
    const runtime::HostTensor hx = bench_data({rows, cols}, runtime::DType::f32, timing_only, 1);
    const runtime::HostTensor hs = bench_data({rows, 1}, runtime::DType::f32, timing_only, 2);
    const runtime::Tensor x = upload(ctx, hx, {R, Row, Col}, "x");
    const runtime::Tensor s = upload(ctx, hs, {R, Row, R}, "s");  // each PE its rows' factors
    const runtime::Tensor y = ctx.empty({rows, cols}, runtime::DType::f32, {R, Row, Col}, "out");
    const std::vector<runtime::LaunchArg> args{x, s, y};
    out.measure([&] { return ctx.launch("scale_rows", args); });
    const runtime::KernelWork work = runtime::kernel_work("scale_rows", args);
    runtime::Traffic traffic(ctx.topology());
    runtime::own_shards(traffic, x, runtime::Direction::read);
    runtime::read_overlap(traffic, s, y, true, false);
    runtime::own_shards(traffic, y, runtime::Direction::write);
    runtime::compute_share(traffic, work, y);
    set_traffic_bound(out, traffic);
    out.bytes = work.total_bytes();
    const runtime::HostTensor got = ctx.to_host(y);
    if (timing_only) return;
    // The reference: the same f32 products on the host, exact.
    const std::vector<float> xv = hx.values<float>(), sv = hs.values<float>();
    std::vector<float> expected(xv.size());
    for (std::size_t i = 0; i < xv.size(); ++i) expected[i] = xv[i] * sv[i / cols];
    out.verified = true;
    out.verification =
        runtime::compare_exact(got, runtime::HostTensor::from(expected, {rows, cols}));
  }
};

}  // namespace

KB_REGISTER_BENCH(scale_rows, std::make_unique<ScaleRowsBench>());

}  // namespace kb::bench

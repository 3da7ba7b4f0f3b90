// The vector_add bench: out = x + y over every cube and PE (HBM-bandwidth bound).
#include "testbenches/benches/bench.h"

#include "runtime/bound/tensor_traffic.h"
#include "runtime/kernels/kernel_work.h"

namespace kb::bench {

namespace {

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
    Footprint x = check_placement(
        topology, fmt::format("x (--param elements={})", params.text("elements")),
        {params.integer("elements")}, params.dtype("dtype"), DPPolicy{Col, Col, Col});
    const Footprint one = x;  // y and out are placed as x
    x += one;
    return x += one;
  }
  void run(runtime::RuntimeContext& ctx, const Params& params, bool timing_only,
           Outcome& out) const override {
    const std::int64_t n = params.integer("elements");
    const DType dtype = params.dtype("dtype");
    const DPPolicy dp = DPPolicy{Col, Col, Col};
    const HostTensor hx = bench_data({n}, dtype, timing_only, 1);
    const HostTensor hy = bench_data({n}, dtype, timing_only, 2);
    Tensor x = upload(ctx, hx, dp, "x"), y = upload(ctx, hy, dp, "y");
    Tensor z = ctx.empty({n}, dtype, dp, "out");
    const std::vector<runtime::LaunchArg> args{x, y, z};
    out.measure([&] { return ctx.launch("vector_add", args); });
    const HostTensor hz = ctx.to_host(z);
    const runtime::KernelWork work = runtime::kernel_work("vector_add", args);
    runtime::Traffic traffic(ctx.topology());
    runtime::own_shards(traffic, x, runtime::Direction::read);
    runtime::own_shards(traffic, y, runtime::Direction::read);
    runtime::own_shards(traffic, z, runtime::Direction::write);
    runtime::compute_share(traffic, work, z);
    set_traffic_bound(out, traffic);
    out.bytes = work.total_bytes();
    if (timing_only) return;
    out.verified = true;
    const HostTensor ref = runtime::reference_vector_add(hx, hy, dtype);
    out.verification = runtime::is_float(dtype) ? runtime::verify_elementwise(hz, ref, hx, hy)
                                                : runtime::compare_exact(hz, ref);
  }
};

}  // namespace

KB_REGISTER_BENCH(vector_add, std::make_unique<VectorAddBench>());

}  // namespace kb::bench

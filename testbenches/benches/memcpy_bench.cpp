// The memcpy bench: HBM to HBM across cubes or across SIPs.
#include "testbenches/benches/bench.h"

#include "runtime/bound/tensor_traffic.h"

namespace kb::bench {

namespace {

class MemcpyBench : public Bench {
 public:
  std::string name() const override { return "memcpy"; }
  std::string description() const override {
    return "HBM to HBM copy: route=cross_cube (all-to-all between cubes) or cross_sip (SIP 0 to "
           "SIP 1)";
  }
  std::vector<Param> params() const override {
    return {{"bytes", "64M", "bytes to copy", "B"},
            {"route", "cross_cube", "cross_cube or cross_sip"}};
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
    const std::string bytes = fmt::format("(--param bytes={})", params.text("bytes"));
    // Placed as on every SIP: cross_sip's src on one SIP and its dst, the same layout, on
    // the next are each one such copy.
    Footprint f =
        check_placement(topology, "src " + bytes, shape, DType::f32, DPPolicy{R, Row, Col});
    if (route == "cross_cube") {
      f += check_placement(topology, "dst " + bytes, shape, DType::f32, DPPolicy{R, Col, Row});
    }
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
      src = upload(ctx, hs, DPPolicy{R, Row, Col}, "src");
      dst = ctx.empty({rows, cols}, DType::f32, DPPolicy{R, Col, Row}, "dst");
    } else {  // cross_sip; check() admitted no other route
      ctx.ahbm.set_device(static_cast<std::uint32_t>(m.first_sip));
      src = upload(ctx, hs, DPPolicy{R, Row, Col}, "src");
      ctx.ahbm.set_device(static_cast<std::uint32_t>(m.first_sip + 1));
      dst = ctx.empty({rows, cols}, DType::f32, DPPolicy{R, Row, Col}, "dst");
      ctx.share(src, static_cast<std::uint32_t>(m.first_sip + 1));
    }
    out.bytes = static_cast<double>(bytes);  // the size copied (the kernel moves it twice)
    out.measure([&] { return ctx.launch("memcpy", {src, dst}); });
    // Every PE of dst reads its block from wherever src holds it, and writes it.
    runtime::Traffic traffic(ctx.topology());
    runtime::copy_blocks(traffic, src, dst);
    set_traffic_bound(out, traffic);
    const HostTensor hd = ctx.to_host(dst);
    if (timing_only) return;
    out.verified = true;
    out.verification = runtime::compare_exact(hd, hs);
  }
};

}  // namespace

KB_REGISTER_BENCH(memcpy, std::make_unique<MemcpyBench>());

}  // namespace kb::bench

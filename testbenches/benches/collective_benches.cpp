// Benches of the collectives: allreduce, allgather, reduce_scatter, broadcast, alltoall, with
// nccl-tests' algbw / busbw and the alpha-beta bound of the chosen algorithm.
#include "testbenches/benches/bench.h"

#include "runtime/bound/tensor_traffic.h"
#include "runtime/ccl/collective_fabric.h"
#include "runtime/host/distributed.h"

#include <fmt/format.h>

#include <cmath>

namespace kb::bench {

using runtime::Collective;
using runtime::PeCoord;

namespace {

class CollectiveBench : public Bench {
 public:
  CollectiveBench(std::string name, Collective kind) : name_(std::move(name)), kind_(kind) {}
  std::string name() const override { return name_; }
  std::string description() const override {
    return fmt::format("{} over every PE's IPCQ; bytes = the size nccl-tests reports",
                       runtime::to_string(kind_));
  }
  std::vector<Param> params() const override {
    return {{"bytes", "1M",
             "size (all_reduce, broadcast, all_to_all: per rank; all_gather: output; "
             "reduce_scatter: input)",
             "B"},
            {"algorithm", kind_ == Collective::all_to_all ? "pairwise" : "ring",
             "a registered algorithm listed in the ccl.yaml; empty: the ccl.yaml's default "
             "algorithm and its tuning table, by a rank's input bytes",
             "", Param::Kind::text},
            {"dtype", "f32", "element type"},
            {"ccl", "", "a ccl.yaml (default: the embedded configs/ccl.yaml)"}};
  }
  // Everything init_process_group and the collective would reject, before the run.
  Footprint check(const Params& params, const platform::Topology& topology) const override {
    const std::string ccl = params.text("ccl");
    const runtime::CclConfig config =
        ccl.empty() ? runtime::default_ccl_config() : runtime::load_ccl_config(ccl);
    runtime::CclAlgorithmConfig chosen;
    try {
      chosen = config.resolve(params.text("algorithm"));
    } catch (const std::invalid_argument& e) {
      throw BenchUsageError(
          fmt::format("--param algorithm={}: {}", params.text("algorithm"), e.what()));
    }
    const runtime::CclAlgorithm& a = runtime::ccl_algorithm(chosen.algorithm);
    if (!a.supports(kind_)) {
      throw BenchUsageError(
          fmt::format("--param algorithm={} does not do {}", a.name(), runtime::to_string(kind_)));
    }
    const std::int64_t world = chosen.world_size.value_or(topology.world_size());
    if (world > topology.world_size()) {
      throw BenchUsageError(fmt::format("{}: world_size {} is more than the {} PEs of the topology",
                                        config.source, world, topology.world_size()));
    }
    if (auto why = a.rejects_world(static_cast<std::uint32_t>(world))) {
      throw BenchUsageError(fmt::format("--param algorithm={}: {}", a.name(), *why));
    }
    const std::int64_t item = static_cast<std::int64_t>(runtime::itemsize(params.dtype("dtype")));
    const std::int64_t divisor =
        (kind_ == Collective::all_gather || kind_ == Collective::reduce_scatter ||
                 kind_ == Collective::all_to_all
             ? world
             : 1) *
        item;
    if (params.integer("bytes") % divisor != 0) {
      throw BenchUsageError(
          fmt::format("--param bytes={}: must be a multiple of {} ({} ranks x {}-byte elements)",
                      params.text("bytes"), divisor, divisor / item, item));
    }
    const Columns c = columns(params.integer("bytes") / item, world);
    const DType dtype = params.dtype("dtype");
    const std::string bytes = fmt::format("(--param bytes={})", params.text("bytes"));
    Footprint f = check_placement(topology, "in " + bytes, {world, c.in}, dtype, kRankRows);
    if (!in_place()) {
      f += check_placement(topology, "out " + bytes, {world, c.out}, dtype, kRankRows);
    }
    return f;
  }
  void run(runtime::RuntimeContext& ctx, const Params& params, bool timing_only,
           Outcome& out) const override {
    runtime::Distributed dist(ctx);
    dist.init_process_group(params.text("algorithm"), params.text("ccl"));
    const runtime::IpcqPlan& plan = dist.plan();
    const DType dtype = params.dtype("dtype");
    const std::int64_t bytes = params.integer("bytes");
    const std::int64_t W = plan.world_size;
    const auto item = static_cast<std::int64_t>(runtime::itemsize(dtype));
    const auto [in_cols, out_cols] = columns(bytes / item, W);
    const runtime::HostTensor host = bench_data({W, in_cols}, dtype, timing_only, 7);
    runtime::Tensor in = ctx.empty({W, in_cols}, dtype, kRankRows, "in");
    ctx.copy_(in, host);
    runtime::Tensor result = in_place() ? in : ctx.empty({W, out_cols}, dtype, kRankRows, "out");
    const std::string algorithm = dist.algorithm_for(kind_, in);
    out.measure([&] {
      switch (kind_) {
        case Collective::all_reduce: return dist.all_reduce(in);
        case Collective::all_gather: return dist.all_gather(in, result);
        case Collective::all_to_all: return dist.all_to_all(in, result);
        case Collective::reduce_scatter: return dist.reduce_scatter(in, result);
        default: return dist.broadcast(in, 0);
      }
    });
    const runtime::HostTensor got = ctx.to_host(result);
    const runtime::CollectiveFabric f = runtime::collective_fabric(ctx.topology(), plan);
    out.bound_model = fmt::format("alpha-beta {} (alpha up to {:.1f} ns, beta {:.0f} GB/s)",
                                  algorithm, f.worst.alpha_ns, f.worst.beta_gbps);
    out.bound.add("alpha_beta",
                  runtime::ccl_algorithm(algorithm).bound_ns(kind_, static_cast<double>(bytes), f));
    out.bound.add(
        runtime::ccl_algorithm(algorithm).extra_terms(kind_, static_cast<double>(bytes), f));
    // Every rank loads its input and stores its result through its HBM slice, which the
    // PEs mapped to it share.
    runtime::Traffic traffic(ctx.topology());
    runtime::own_shards(traffic, in, runtime::Direction::read);
    runtime::own_shards(traffic, result, runtime::Direction::write);
    out.bound.add(traffic.bound());
    const double t = out.kernel_ns();
    const double algbw = t > 0 ? static_cast<double>(bytes) / t : 0.0;
    out.extra["algbw_gbps"] = algbw;
    out.extra["busbw_gbps"] = algbw * runtime::bus_factor(kind_, static_cast<double>(W));
    out.extra["world_size"] = W;
    out.extra["algorithm"] = algorithm;
    out.units.declare("algbw_gbps", "GB/s", "nccl-tests' algorithm bandwidth: size over time");
    out.units.declare("busbw_gbps", "GB/s",
                      "nccl-tests' bus bandwidth: algbw times the bytes each rank must move");
    out.units.declare("world_size", "", "ranks taking part");
    if (timing_only) return;
    out.verified = true;
    verify(host, got, plan, ctx.machine(), in_cols, out_cols, dtype, out.verification);
  }

 private:
  // Row r of the tensors is rank r's buffer: rows split over SIPs, cubes and PEs.
  static inline const runtime::DPPolicy kRankRows{
      runtime::Split::row_wise, runtime::Split::row_wise, runtime::Split::row_wise, {}, {}, {}};

  // Each rank's input and output columns for `per_rank` elements of the size nccl-tests
  // reports (all_gather: the output; reduce_scatter: the input) over `world` ranks.
  struct Columns {
    std::int64_t in, out;
  };
  // all_reduce and broadcast work in place; the others write another tensor.
  bool in_place() const {
    return kind_ == Collective::all_reduce || kind_ == Collective::broadcast;
  }

  Columns columns(std::int64_t per_rank, std::int64_t world) const {
    return {kind_ == Collective::all_gather ? per_rank / world : per_rank,
            kind_ == Collective::reduce_scatter ? per_rank / world : per_rank};
  }

  // The host reference for every rank. Row g of the tensors is global PE g (rows split
  // over SIPs, cubes and PEs in that order); the plan says which rank that PE is.
  void verify(const runtime::HostTensor& in, const runtime::HostTensor& got,
              const runtime::IpcqPlan& plan, const runtime::MachineShape& m, std::int64_t in_cols,
              std::int64_t out_cols, DType dtype, runtime::Verification& v) const {
    const auto W = static_cast<std::int64_t>(plan.world_size);
    auto row_of = [&](std::int64_t rank) {
      const PeCoord& pe = plan.rank_to_pe[static_cast<std::size_t>(rank)];
      return (static_cast<std::int64_t>(pe.sip) * m.cubes_per_sip + pe.cube) * m.pes_per_cube +
             pe.pe;
    };
    auto input = [&](std::int64_t rank, std::int64_t col) {
      return runtime::element(in, row_of(rank), col);
    };
    // The reduced column sums and magnitudes, once: checking every rank stays O(W x n).
    const bool reduces = kind_ == Collective::all_reduce || kind_ == Collective::reduce_scatter;
    std::vector<double> sum, magnitude;
    if (reduces) {
      sum.assign(static_cast<std::size_t>(in_cols), 0.0);
      magnitude.assign(static_cast<std::size_t>(in_cols), 0.0);
      for (std::int64_t q = 0; q < W; ++q) {
        for (std::int64_t col = 0; col < in_cols; ++col) {
          const double x = input(q, col);
          sum[static_cast<std::size_t>(col)] += x;
          magnitude[static_cast<std::size_t>(col)] += std::abs(x);
        }
      }
    }
    const double u = runtime::unit_roundoff(dtype);
    for (std::int64_t rank = 0; rank < W; ++rank) {
      for (std::int64_t c = 0; c < out_cols; ++c) {
        double want = 0, mag = 0;
        if (kind_ == Collective::all_gather) {
          want = input(c / in_cols, c % in_cols);
        } else if (kind_ == Collective::broadcast) {
          want = input(0, c);
        } else if (kind_ == Collective::all_to_all) {  // chunk j: rank j's chunk for `rank`
          const std::int64_t chunk = in_cols / W;
          want = input(c / chunk, rank * chunk + c % chunk);
        } else {
          const auto col = static_cast<std::size_t>(
              kind_ == Collective::reduce_scatter ? rank * out_cols + c : c);
          // Integer sums wrap at the dtype's width, on the device as in NCCL.
          want = runtime::is_float(dtype) ? sum[col] : runtime::round_to(dtype, sum[col]);
          mag = magnitude[col];
        }
        const double have = runtime::element(got, row_of(rank), c);
        const double err = std::abs(have - want);
        const double tol = static_cast<double>(W) * u * mag + 2 * u * std::abs(want);
        v.max_abs_err = std::max(v.max_abs_err, err);
        if (err > tol && v.ok) {
          v.ok = false;
          v.first_failure = fmt::format("rank {} element {}: device {}, reference {}, tolerance {}",
                                        rank, c, have, want, tol);
        }
      }
    }
  }

  std::string name_;
  Collective kind_;
};

}  // namespace

KB_REGISTER_BENCH(allreduce,
                  std::make_unique<CollectiveBench>("allreduce", Collective::all_reduce));
KB_REGISTER_BENCH(allgather,
                  std::make_unique<CollectiveBench>("allgather", Collective::all_gather));
KB_REGISTER_BENCH(reduce_scatter,
                  std::make_unique<CollectiveBench>("reduce_scatter", Collective::reduce_scatter));
KB_REGISTER_BENCH(broadcast, std::make_unique<CollectiveBench>("broadcast", Collective::broadcast));
KB_REGISTER_BENCH(alltoall, std::make_unique<CollectiveBench>("alltoall", Collective::all_to_all));

}  // namespace kb::bench

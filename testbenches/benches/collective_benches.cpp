// Benches of the collectives: allreduce, allgather, reduce_scatter, broadcast, alltoall, with
// nccl-tests' algbw / busbw and the alpha-beta bound of the chosen algorithm.
#include "testbenches/benches/bench.h"

#include "platform/util/split.h"
#include "runtime/bound/tensor_traffic.h"
#include "runtime/ccl/collective_fabric.h"
#include "runtime/host/distributed.h"

#include <fmt/format.h>

#include <charconv>
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
            {"ccl", "", "a ccl.yaml (default: the embedded configs/ccl.yaml)"},
            {"groups", "",
             "a layout of the ranks as communicator groups, NAME:SIZE,... (tp:8,dp:4: the "
             "first varies fastest, the sizes' product is the world): the collective runs in "
             "every group of each dimension at once, dimension by dimension; empty: the world",
             "", Param::Kind::text},
            {"bundle", "1",
             "1: in flow fidelity's timing-only runs the ranks of congruent PEs run as one "
             "bundle (docs/fidelity.md); 0: every rank runs",
             "", Param::Kind::count}};
  }
  // Everything init_process_group and the collective would reject, before the run.
  Footprint check(const Params& params, const platform::Topology& topology) const override {
    if (params.count("bundle") > 1) {
      throw BenchUsageError(
          fmt::format("--param bundle={}: must be 0 or 1", params.text("bundle")));
    }
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
    const DType dtype = params.dtype("dtype");
    const std::string bytes = fmt::format("(--param bytes={})", params.text("bytes"));
    // Each pass (the world, or each dimension of the layout) has tensors of its own.
    Footprint f;
    for (const Pass& pass : passes(params.text("groups"), world)) {
      if (auto why = a.rejects_world(static_cast<std::uint32_t>(pass.size))) {
        throw BenchUsageError(fmt::format("--param algorithm={} in groups of {} ({}): {}", a.name(),
                                          pass.size, pass.name, *why));
      }
      const std::int64_t divisor = (splits() ? pass.size : 1) * item;
      if (params.integer("bytes") % divisor != 0) {
        throw BenchUsageError(
            fmt::format("--param bytes={}: must be a multiple of {} ({} ranks x {}-byte elements)",
                        params.text("bytes"), divisor, divisor / item, item));
      }
      const Columns c = columns(params.integer("bytes") / item, pass.size);
      f += check_placement(topology, "in " + bytes, {world, c.in}, dtype, kRankRows);
      if (!in_place()) {
        f += check_placement(topology, "out " + bytes, {world, c.out}, dtype, kRankRows);
      }
    }
    return f;
  }
  void run(runtime::RuntimeContext& ctx, const Params& params, bool timing_only,
           Outcome& out) const override {
    const runtime::CclConfig config = params.text("ccl").empty()
                                          ? runtime::default_ccl_config()
                                          : runtime::load_ccl_config(params.text("ccl"));
    const std::int64_t world =
        config.resolve(params.text("algorithm")).world_size.value_or(ctx.topology().world_size());
    const std::vector<Pass> all = passes(params.text("groups"), world);
    std::vector<std::vector<std::uint32_t>> subgroups;
    for (const Pass& pass : all)
      subgroups.insert(subgroups.end(), pass.groups.begin(), pass.groups.end());
    runtime::Distributed dist(ctx);
    dist.allow_bundles(params.count("bundle") == 1);  // the collective has the machine alone
    dist.init_process_group(params.text("algorithm"), params.text("ccl"), subgroups);
    const runtime::IpcqPlan& plan = dist.plan();
    const DType dtype = params.dtype("dtype");
    const std::int64_t bytes = params.integer("bytes");
    const std::int64_t W = plan.world_size;
    const auto item = static_cast<std::int64_t>(runtime::itemsize(dtype));
    // Every pass's tensors filled before the first runs, so that the passes run back to back.
    struct Run {
      runtime::HostTensor host;
      runtime::Tensor in, result;
      Columns c;
    };
    std::vector<Run> runs;
    for (const Pass& pass : all) {
      Run r;
      r.c = columns(bytes / item, pass.size);
      r.host = bench_data({W, r.c.in}, dtype, timing_only, 7);
      r.in = ctx.empty({W, r.c.in}, dtype, kRankRows, "in." + pass.name);
      ctx.copy_(r.in, r.host);
      r.result = in_place() ? r.in : ctx.empty({W, r.c.out}, dtype, kRankRows, "out." + pass.name);
      runs.push_back(std::move(r));
    }
    const std::string algorithm = dist.algorithm_for(kind_, runs.front().in);
    const runtime::CclAlgorithm& a = runtime::ccl_algorithm(algorithm);
    runtime::Traffic traffic(ctx.topology());
    nlohmann::ordered_json reports = nlohmann::ordered_json::array();
    double alpha_beta = 0;
    runtime::CollectiveFabric worst;
    std::uint32_t simulated = 0;  // ranks whose steps a pass simulated, at most
    for (std::size_t i = 0; i < all.size(); ++i) {
      const Pass& pass = all[i];
      Run& r = runs[i];
      runtime::Distributed group(ctx, dist.process_groups(), std::nullopt, "", pass.groups);
      runtime::Distributed& d = pass.groups.empty() ? dist : group;
      const std::size_t first_kernel = out.kernels.size();
      std::vector<double> energy_before = out.window_energy_pj;
      out.measure([&] {
        switch (kind_) {
          case Collective::all_reduce: return d.all_reduce(r.in);
          case Collective::all_gather: return d.all_gather(r.in, r.result);
          case Collective::all_to_all: return d.all_to_all(r.in, r.result);
          case Collective::reduce_scatter: return d.reduce_scatter(r.in, r.result);
          default: return d.broadcast(r.in, 0);
        }
      });
      simulated = std::max(simulated, d.simulated_ranks());
      // A bundle's leaders spent what each of its copies spends alike (runtime/ccl/bundle.h):
      // the pass's dynamic energy is theirs times the copies.
      if (const std::uint32_t ran = d.simulated_ranks(); ran > 0 && ran < W) {
        const double copies = static_cast<double>(W) / ran;
        energy_before.resize(out.window_energy_pj.size(), 0.0);
        for (std::size_t e = 0; e < energy_before.size(); ++e) {
          out.window_energy_pj[e] =
              energy_before[e] + (out.window_energy_pj[e] - energy_before[e]) * copies;
        }
      }
      // The pass takes at least its slowest group's bound: the algorithm's alpha-beta over
      // the fabric between the ranks each exchanges with.
      // (The world's: over the queues installed.)
      std::vector<runtime::CollectiveFabric> fabrics;
      if (pass.groups.empty()) fabrics.push_back(runtime::collective_fabric(ctx.topology(), plan));
      for (const std::vector<std::uint32_t>& members : pass.groups) {
        runtime::IpcqPlan mine = runtime::subgroup(plan, members);
        for (std::uint32_t q = 0; q < mine.world_size; ++q)
          mine.neighbours[q] = a.neighbours(q, mine);
        fabrics.push_back(runtime::collective_fabric(ctx.topology(), mine));
      }
      double bound = 0;
      for (const runtime::CollectiveFabric& f : fabrics) {
        const double ns = a.bound_ns(kind_, static_cast<double>(bytes), f);
        if (ns >= bound) worst = f;
        bound = std::max(bound, ns);
      }
      alpha_beta += bound;
      // Every rank loads its input and stores its result through its HBM slice, which the
      // PEs mapped to it share.
      runtime::own_shards(traffic, r.in, runtime::Direction::read);
      runtime::own_shards(traffic, r.result, runtime::Direction::write);
      // The pass: its kernels' span, first start to last end.
      double first = INFINITY, last = 0;
      for (std::size_t k = first_kernel; k < out.kernels.size(); ++k) {
        first = std::min(first, out.kernels[k].start_ns);
        last = std::max(last, out.kernels[k].end_ns);
      }
      const double ns = last > first ? last - first : 0.0;
      const double algbw = ns > 0 ? static_cast<double>(bytes) / ns : 0.0;
      reports.push_back(
          {{"name", pass.name},
           {"size", pass.size},
           {"groups", static_cast<std::int64_t>(pass.members(W).size())},
           {"ns", ns},
           {"bound_ns", bound},
           {"algbw_gbps", algbw},
           {"busbw_gbps", algbw * runtime::bus_factor(kind_, static_cast<double>(pass.size))}});
    }
    // Read back after every pass ran, so that the passes run back to back.
    for (std::size_t i = 0; i < all.size(); ++i) {
      const runtime::HostTensor got = ctx.to_host(runs[i].result);
      if (timing_only) continue;
      verify(runs[i].host, got, plan, ctx.machine(), all[i].members(W), runs[i].c.in, runs[i].c.out,
             dtype, out.verification);
    }
    out.bound_model = fmt::format("alpha-beta {} (alpha up to {:.1f} ns, beta {:.0f} GB/s)",
                                  algorithm, worst.worst.alpha_ns, worst.worst.beta_gbps);
    out.bound.add("alpha_beta", alpha_beta);
    if (all.size() == 1) {
      out.bound.add(a.extra_terms(kind_, static_cast<double>(bytes), worst));
    }
    out.bound.add(traffic.bound());
    const double t = out.kernel_ns();
    const double algbw = t > 0 ? static_cast<double>(bytes) / t : 0.0;
    out.extra["algbw_gbps"] = algbw;
    out.extra["busbw_gbps"] =
        algbw * runtime::bus_factor(kind_, static_cast<double>(all.front().size));
    out.extra["world_size"] = W;
    out.extra["simulated_ranks"] = simulated;
    out.extra["algorithm"] = algorithm;
    if (!params.text("groups").empty()) out.extra["groups"] = std::move(reports);
    out.units.declare("algbw_gbps", "GB/s", "nccl-tests' algorithm bandwidth: size over time");
    out.units.declare("busbw_gbps", "GB/s",
                      "nccl-tests' bus bandwidth: algbw times the bytes each rank must move");
    out.units.declare("world_size", "", "ranks taking part");
    out.units.declare("simulated_ranks", "",
                      "ranks whose steps were simulated: all, or a bundle's leaders (flow)");
    out.units.declare("groups.*.size", "", "ranks in each group of the dimension");
    out.units.declare("groups.*.groups", "", "groups of the dimension, run at once");
    out.units.declare("groups.*.ns", "ns", "the dimension's pass: first PE start to last end");
    out.units.declare("groups.*.bound_ns", "ns", "its slowest group's alpha-beta bound");
    out.units.declare("groups.*.algbw_gbps", "GB/s", "size over the pass's time");
    out.units.declare("groups.*.busbw_gbps", "GB/s", "algbw times a group's bus factor");
    out.verified = !timing_only;
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
  // The runs of a bench: the world, or each dimension of a layout in turn, its groups the
  // ranks that differ in that coordinate alone.
  struct Pass {
    std::string name = "world";
    std::int64_t size = 0;
    std::vector<std::vector<std::uint32_t>> groups;  // none: the world
    // The groups, the world as one when there are none.
    std::vector<std::vector<std::uint32_t>> members(std::int64_t world) const {
      if (!groups.empty()) return groups;
      std::vector<std::uint32_t> all(static_cast<std::size_t>(world));
      for (std::size_t r = 0; r < all.size(); ++r) all[r] = static_cast<std::uint32_t>(r);
      return {all};
    }
  };
  static std::vector<Pass> passes(const std::string& layout, std::int64_t world) {
    if (layout.empty()) return {Pass{"world", world, {}}};
    std::vector<Pass> out;
    std::int64_t stride = 1;
    for (const std::string& dim : platform::split(layout, ',')) {
      const auto colon = dim.find(':');
      std::int64_t size = 0;
      const std::string name = dim.substr(0, colon);
      const std::string count = colon == std::string::npos ? "" : dim.substr(colon + 1);
      const auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), size);
      if (name.empty() || ec != std::errc() || end != count.data() + count.size() || size < 1) {
        throw BenchUsageError(
            fmt::format("--param groups={}: '{}' is not NAME:SIZE (tp:8,dp:4)", layout, dim));
      }
      for (const Pass& p : out) {
        if (p.name == name) {
          throw BenchUsageError(fmt::format("--param groups={}: '{}' twice", layout, name));
        }
      }
      out.push_back(Pass{name, size, {}});
      stride = std::min(stride * std::min(size, world + 1), world + 1);  // no overflow
    }
    if (stride != world) {
      std::vector<std::string> sizes;
      for (const Pass& p : out) sizes.push_back(std::to_string(p.size));
      throw BenchUsageError(fmt::format("--param groups={}: {} ranks, the world has {}", layout,
                                        fmt::join(sizes, " x "), world));
    }
    // Rank r's coordinate in dimension d: r / (the sizes before d) mod size_d.
    stride = 1;
    for (Pass& p : out) {
      for (std::int64_t r = 0; r < world; ++r) {
        if (r / stride % p.size != 0) continue;
        std::vector<std::uint32_t> members;
        for (std::int64_t i = 0; i < p.size; ++i)
          members.push_back(static_cast<std::uint32_t>(r + i * stride));
        p.groups.push_back(std::move(members));
      }
      stride *= p.size;
    }
    return out;
  }
  // Collectives whose ranks each get one chunk of a size over the group's ranks.
  bool splits() const {
    return kind_ == Collective::all_gather || kind_ == Collective::reduce_scatter ||
           kind_ == Collective::all_to_all;
  }

  // all_reduce and broadcast work in place; the others write another tensor.
  bool in_place() const {
    return kind_ == Collective::all_reduce || kind_ == Collective::broadcast;
  }

  Columns columns(std::int64_t per_rank, std::int64_t world) const {
    return {kind_ == Collective::all_gather ? per_rank / world : per_rank,
            kind_ == Collective::reduce_scatter ? per_rank / world : per_rank};
  }

  // The host reference for every rank of every group (world ranks, each group's in its
  // order). Row g of the tensors is global PE g (rows split over SIPs, cubes and PEs in that
  // order); the plan says which rank that PE is.
  void verify(const runtime::HostTensor& in, const runtime::HostTensor& got,
              const runtime::IpcqPlan& plan, const runtime::MachineShape& m,
              const std::vector<std::vector<std::uint32_t>>& groups, std::int64_t in_cols,
              std::int64_t out_cols, DType dtype, runtime::Verification& v) const {
    auto row_of = [&](std::int64_t rank) {
      const PeCoord& pe = plan.rank_to_pe[static_cast<std::size_t>(rank)];
      return (static_cast<std::int64_t>(pe.sip) * m.cubes_per_sip + pe.cube) * m.pes_per_cube +
             pe.pe;
    };
    const bool reduces = kind_ == Collective::all_reduce || kind_ == Collective::reduce_scatter;
    const double u = runtime::unit_roundoff(dtype);
    for (const std::vector<std::uint32_t>& group : groups) {
      const auto W = static_cast<std::int64_t>(group.size());
      // Member j's input.
      auto input = [&](std::int64_t j, std::int64_t col) {
        return runtime::element(in, row_of(group[static_cast<std::size_t>(j)]), col);
      };
      // The reduced column sums and magnitudes, once: checking every rank stays O(W x n).
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
      for (std::int64_t rank = 0; rank < W; ++rank) {
        for (std::int64_t c = 0; c < out_cols; ++c) {
          double want = 0, mag = 0;
          if (kind_ == Collective::all_gather) {
            want = input(c / in_cols, c % in_cols);
          } else if (kind_ == Collective::broadcast) {
            want = input(0, c);
          } else if (kind_ == Collective::all_to_all) {  // chunk j: member j's for `rank`
            const std::int64_t chunk = in_cols / W;
            want = input(c / chunk, rank * chunk + c % chunk);
          } else {
            const auto col = static_cast<std::size_t>(
                kind_ == Collective::reduce_scatter ? rank * out_cols + c : c);
            // Integer sums wrap at the dtype's width, on the device as in NCCL.
            want = runtime::is_float(dtype) ? sum[col] : runtime::round_to(dtype, sum[col]);
            mag = magnitude[col];
          }
          const std::uint32_t who = group[static_cast<std::size_t>(rank)];
          const double have = runtime::element(got, row_of(who), c);
          const double err = std::abs(have - want);
          const double tol = static_cast<double>(W) * u * mag + 2 * u * std::abs(want);
          v.max_abs_err = std::max(v.max_abs_err, err);
          if (err > tol && v.ok) {
            v.ok = false;
            v.first_failure =
                fmt::format("rank {} element {}: device {}, reference {}, tolerance {}", who, c,
                            have, want, tol);
          }
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

#include "runtime/ccl/distributed.h"

#include <fmt/format.h>

#include <set>

namespace kb::runtime {

namespace {

// The kernel every rank's PE runs for one collective.
KernelFn collective_kernel(std::shared_ptr<const IpcqPlan> plan, CollectiveCall call, ReduceOp op,
                           bool has_input) {
  return [plan, call, op, has_input](KernelContext& k) {
    const models::PeLocation& at = k.location();
    const std::int64_t rank = plan->rank_of({at.sip, at.cube, at.pe});
    if (rank < 0) return;  // this PE is not a rank of the plan
    const auto r = static_cast<std::uint32_t>(rank);
    const bool scatter = call.kind == Collective::reduce_scatter,
               gather = call.kind == Collective::all_gather;
    const std::int64_t n = (scatter || gather) ? call.count * plan->world_size : call.count;
    const TensorView* in = has_input ? &k.tensor(0) : nullptr;
    const TensorView* out = has_input ? &k.tensor(k.num_args() > 1 ? 1 : 0) : nullptr;
    const DType dtype = in != nullptr ? in->dtype() : DType::u32;
    for (const TensorView* v : {in, out}) {
      if (v != nullptr && (!v->own_block() || v->own_block()->rows != 1)) {
        throw std::invalid_argument(
            fmt::format("{}: tensor '{}' must hold exactly one row on each rank's PE (rows split "
                        "row_wise at every level)",
                        to_string(call.kind), v->name()));
      }
    }
    // Load the rank's input piece by piece; each piece may be sent once it is in.
    Tile buffer = k.full(1, n, dtype, 0.0);
    const std::int64_t piece = plan->piece_elements(dtype);
    std::vector<models::Picoseconds> ready(static_cast<std::size_t>((n + piece - 1) / piece), 0);
    if (in != nullptr) {
      const Block& own = *in->own_block();
      const std::int64_t base = gather ? r * call.count : 0;
      for (std::int64_t b = 0; b < own.cols; b += piece) {
        const std::int64_t len = std::min(piece, own.cols - b);
        PendingTile t = k.load_async(*in, own.row0, own.col0 + b, 1, len);
        for (std::int64_t q = (base + b) / piece; q <= (base + b + len - 1) / piece; ++q) {
          ready[static_cast<std::size_t>(q)] = std::max(ready[static_cast<std::size_t>(q)], t.done);
        }
        buffer.assign(base + b, t.tile);
      }
    }
    RankComm comm(k, r, *plan, op, std::move(buffer), std::move(ready));
    comm.on_final = [&](Span span) {
      if (out == nullptr) return;
      const Block& own = *out->own_block();
      const std::int64_t at_col = scatter ? span.begin - r * call.count : span.begin;
      k.store_async(*out, own.row0, own.col0 + at_col, comm.buffer.slice(span.begin, span.len));
    };
    if (gather) comm.on_final({r * call.count, call.count});  // its own chunk is already final
    ccl_algorithm(plan->config.algorithm).run(comm, call);
  };
}

}  // namespace

void Distributed::init_process_group(const std::string& algorithm, const std::string& ccl_yaml) {
  if (plan_) return;
  if (installing_) {
    while (!plan_) sc_core::wait(installed_);
    return;
  }
  installing_ = true;
  plan_ = std::make_shared<const IpcqPlan>(ctx_.install_ipcq(algorithm, ccl_yaml));
  installed_.notify(sc_core::SC_ZERO_TIME);
}

const IpcqPlan& Distributed::plan() const {
  if (!plan_) throw std::logic_error("collectives before init_process_group()");
  return *plan_;
}

std::uint32_t Distributed::rank() const { return ctx_.thread_rank().value_or(0); }

std::vector<Handle> Distributed::collective(Collective kind, ReduceOp op, std::uint32_t root,
                                            const Tensor* in, const Tensor* out) {
  const IpcqPlan& p = plan();
  CollectiveCall call{kind, root, 0};
  std::vector<LaunchArg> args;
  if (in != nullptr) {
    args.emplace_back(*in);
    if (out != nullptr && out->shared_state() != in->shared_state()) args.emplace_back(*out);
    const std::int64_t cols = static_cast<std::int64_t>(in->placement().cols);
    call.count = kind == Collective::reduce_scatter ? cols / p.world_size : cols;
    if (kind == Collective::reduce_scatter && cols % p.world_size != 0) {
      throw std::invalid_argument(
          fmt::format("reduce_scatter: {} columns do not split over {} ranks", cols, p.world_size));
    }
    std::vector<Handle> pending = ctx_.launch_async(
        std::string(to_string(kind)), collective_kernel(plan_, call, op, true), std::move(args));
    for (const Handle& h : pending) ctx_.wait(h);
    return pending;
  }
  // barrier: every rank's PE in this thread's scope, no tensor.
  call.count = 1;
  const auto device = ctx_.ahbm.current_device();
  std::map<std::uint32_t, std::set<std::uint32_t>> cubes;
  std::set<std::uint32_t> pes;
  for (const PeCoord& pe : p.rank_to_pe) {
    if (device && pe.sip != *device) continue;
    cubes[pe.sip].insert(pe.cube);
    pes.insert(pe.pe);
  }
  return ctx_.launch_on_and_wait("barrier", collective_kernel(plan_, call, ReduceOp::sum, false),
                                 {}, cubes, {pes.begin(), pes.end()});
}

std::vector<Handle> Distributed::all_reduce(const Tensor& t, ReduceOp op) {
  return collective(Collective::all_reduce, op, 0, &t, &t);
}
std::vector<Handle> Distributed::all_gather(const Tensor& in, const Tensor& out) {
  return collective(Collective::all_gather, ReduceOp::sum, 0, &in, &out);
}
std::vector<Handle> Distributed::reduce_scatter(const Tensor& in, const Tensor& out, ReduceOp op) {
  return collective(Collective::reduce_scatter, op, 0, &in, &out);
}
std::vector<Handle> Distributed::broadcast(const Tensor& t, std::uint32_t root) {
  return collective(Collective::broadcast, ReduceOp::sum, root, &t, &t);
}
std::vector<Handle> Distributed::barrier() {
  return collective(Collective::barrier, ReduceOp::sum, 0, nullptr, nullptr);
}

}  // namespace kb::runtime

#include "runtime/host/distributed.h"

#include <fmt/format.h>

#include <algorithm>

namespace kb::runtime {

namespace {

// A rank's buffer in a tensor's block: `length` elements from flat position `begin` of the
// block, row after row, as (row, col, len) pieces within single rows.
template <class Fn>
void for_each_row_piece(const Block& block, std::int64_t begin, std::int64_t length, Fn&& fn) {
  for (std::int64_t at = begin; at < begin + length;) {
    const std::int64_t row = at / block.cols, col = at % block.cols;
    const std::int64_t len = std::min(block.cols - col, begin + length - at);
    fn(block.row0 + row, block.col0 + col, at, len);
    at += len;
  }
}

// The kernel every rank's PE runs for one collective.
// `algorithm`: the registered algorithm to run, or "" for each group's own.
KernelFn collective_kernel(std::shared_ptr<const ProcessGroups> groups, CollectiveCall call,
                           ReduceOp op, bool has_input, const std::string& algorithm) {
  return [groups, call, op, has_input, algorithm](KernelContext& k) {
    const models::PeLocation& at = k.location();
    const IpcqPlan* installed = groups->plan_of({at.sip, at.cube, at.pe});
    if (installed == nullptr) return;  // this PE is not a rank of any group
    auto r = static_cast<std::uint32_t>(installed->rank_of({at.sip, at.cube, at.pe}));
    // A subgroup's collective: this PE's rank among its group's members, over the installed
    // queues.
    std::optional<IpcqPlan> group;
    const std::vector<std::uint32_t>* members = nullptr;
    if (call.subgroups) {
      const std::optional<Partition::Place> place = call.subgroups->place(r);
      if (!place) return;  // in no group
      members = place->members;
      group = subgroup(*installed, *members);
      r = place->index;
    }
    const IpcqPlan* plan = group ? &*group : installed;
    const bool scatter = call.kind == Collective::reduce_scatter,
               gather = call.kind == Collective::all_gather,
               to_all = call.kind == Collective::all_to_all;
    const TensorView* in = has_input ? &k.tensor(0) : nullptr;
    const TensorView* out = has_input ? &k.tensor(k.num_args() > 1 ? 1 : 0) : nullptr;
    const DType dtype = in != nullptr ? in->dtype() : DType::u32;
    for (const TensorView* v : {in, out}) {
      if (v != nullptr && !v->own_block()) {
        throw std::invalid_argument(
            fmt::format("{}: tensor '{}' must hold a block on each rank's PE", to_string(call.kind),
                        v->name()));
      }
    }
    const std::int64_t block = in != nullptr ? in->own_block()->rows * in->own_block()->cols : 1;
    // all_reduce and broadcast work on the rank's whole block.
    CollectiveCall mine = call;
    if (!scatter && !gather && !to_all) mine.count = block;
    // all_to_all: the rank's chunks for every rank, then the chunks every rank sent it.
    const std::int64_t n = to_all                ? 2 * call.count * plan->world_size
                           : (scatter || gather) ? call.count * plan->world_size
                                                 : block;
    // Load the rank's input piece by piece (flow fidelity: in the parts whose readiness it
    // tracks); each piece may be sent once it is in.
    Tile buffer = k.full(1, n, dtype, 0.0);
    const std::int64_t piece = RankComm::tracked_elements(*plan, dtype, k.fidelity(), n);
    std::vector<models::Picoseconds> ready(static_cast<std::size_t>((n + piece - 1) / piece), 0);
    if (in != nullptr) {
      const std::int64_t base = gather ? r * call.count : 0;
      for (std::int64_t b = 0; b < block; b += piece) {
        for_each_row_piece(
            *in->own_block(), b, std::min(piece, block - b),
            [&](std::int64_t row, std::int64_t col, std::int64_t flat, std::int64_t len) {
              PendingTile t = k.load_async(*in, row, col, 1, len);
              for (std::int64_t q = (base + flat) / piece; q <= (base + flat + len - 1) / piece;
                   ++q) {
                auto& when = ready[static_cast<std::size_t>(q)];
                when = std::max(when, t.done);
              }
              buffer.assign(base + flat, t.tile);
            });
      }
    }
    RankComm comm(k, r, *plan, op, std::move(buffer), std::move(ready));
    if (members != nullptr) comm.map_ranks(members);
    comm.on_final = [&](Span span) {
      if (out == nullptr) return;
      const std::int64_t received = call.count * plan->world_size;  // all_to_all's second half
      const std::int64_t from = scatter                            ? span.begin - r * call.count
                                : to_all && span.begin >= received ? span.begin - received
                                                                   : span.begin;
      for_each_row_piece(
          *out->own_block(), from, span.len,
          [&](std::int64_t row, std::int64_t col, std::int64_t flat, std::int64_t len) {
            k.store_async(*out, row, col, comm.buffer.slice(span.begin + flat - from, len));
          });
    };
    // Its own chunk is already final: in place for all_gather, kept for itself by all_to_all.
    if (gather || to_all) comm.on_final({r * call.count, call.count});
    ccl_algorithm(algorithm.empty() ? plan->config.algorithm : algorithm).run(comm, mine);
  };
}

}  // namespace

Distributed::Distributed(RuntimeContext& ctx, std::shared_ptr<const ProcessGroups> groups,
                         std::optional<PeScope> on, std::string algorithm,
                         std::vector<std::vector<std::uint32_t>> subgroups)
    : ctx_(ctx), groups_(std::move(groups)), on_(std::move(on)), algorithm_(std::move(algorithm)) {
  if (!subgroups.empty()) subgroups_ = std::make_shared<const Partition>(std::move(subgroups));
}

void Distributed::init_process_group(const std::string& algorithm, const std::string& ccl_yaml,
                                     const std::vector<std::vector<std::uint32_t>>& subgroups) {
  if (groups_) return;
  if (installing_) {
    while (!groups_) sc_core::wait(installed_);
    return;
  }
  installing_ = true;
  groups_ = std::make_shared<const ProcessGroups>(std::vector<IpcqPlan>{
      ctx_.install_ipcq(algorithm, ccl_yaml, std::nullopt, nullptr, subgroups)});
  installed_.notify(sc_core::SC_ZERO_TIME);
}

std::string Distributed::algorithm_for(Collective kind, const Tensor& in) const {
  if (!algorithm_.empty()) return algorithm_;
  // A rank's input: the block its PE holds (every rank holds one alike).
  return plan().config.algorithm_for(kind, in.shards().front().nbytes);
}

const IpcqPlan& Distributed::plan() const {
  if (!groups_) throw std::logic_error("collectives before init_process_group()");
  return groups_->plans().front();
}

std::uint32_t Distributed::rank() const { return ctx_.thread_rank().value_or(0); }

std::vector<Handle> Distributed::collective(Collective kind, ReduceOp op, std::uint32_t root,
                                            const Tensor* in, const Tensor* out,
                                            const std::string& launch_name) {
  const IpcqPlan& p = plan();
  CollectiveCall call{kind, root, 0, subgroups_};
  const std::uint32_t world = subgroups_ ? subgroups_->group_size() : p.world_size;
  std::vector<LaunchArg> args;
  if (in != nullptr) {
    args.emplace_back(*in);
    if (out != nullptr && out->shared_state() != in->shared_state()) args.emplace_back(*out);
    // A rank's buffer: its PE's block, row after row.
    const DeviceShard& own = in->shards().front();
    const auto elements = static_cast<std::int64_t>(own.rows * own.cols);
    const bool chunks = kind == Collective::reduce_scatter || kind == Collective::all_to_all;
    call.count = chunks ? elements / world : elements;
    if (chunks && elements % world != 0) {
      throw std::invalid_argument(fmt::format("{}: a rank's {} elements do not split over {} ranks",
                                              to_string(kind), elements, world));
    }
    const std::string name = launch_name.empty() ? std::string(to_string(kind)) : launch_name;
    KernelFn kernel = collective_kernel(groups_, call, op, true, algorithm_for(kind, *in));
    std::vector<Handle> pending =
        on_ ? ctx_.launch(name, std::move(kernel), std::move(args), Launch::on_pes(*on_, false))
            : ctx_.launch(name, std::move(kernel), std::move(args), Launch::deferred());
    for (const Handle& h : pending) ctx_.wait(h);
    return pending;
  }
  // barrier: every rank's PE in this thread's scope, no tensor.
  call.count = 1;
  PeScope scope;
  if (on_) {
    scope = *on_;
  } else {
    const auto device = ctx_.ahbm.current_device();
    std::vector<PeCoord> ranks;
    for (const IpcqPlan& group : groups_->plans()) {
      for (std::uint32_t r = 0; r < group.world_size; ++r) {
        const PeCoord& pe = group.rank_to_pe[r];
        const bool member = !subgroups_ || subgroups_->place(r).has_value();
        if (member && (!device || pe.sip == *device)) ranks.push_back(pe);
      }
    }
    scope = PeScope::of(ranks);
  }
  return ctx_.launch(
      launch_name.empty() ? "barrier" : launch_name,
      collective_kernel(groups_, call, ReduceOp::sum, false,
                        algorithm_.empty() ? p.config.algorithm_for(kind, 0) : algorithm_),
      {}, Launch::on_pes(scope));
}

std::vector<Handle> Distributed::all_reduce(const Tensor& t, ReduceOp op,
                                            const std::string& launch_name) {
  return collective(Collective::all_reduce, op, 0, &t, &t, launch_name);
}
std::vector<Handle> Distributed::all_gather(const Tensor& in, const Tensor& out,
                                            const std::string& launch_name) {
  return collective(Collective::all_gather, ReduceOp::sum, 0, &in, &out, launch_name);
}
std::vector<Handle> Distributed::reduce_scatter(const Tensor& in, const Tensor& out, ReduceOp op,
                                                const std::string& launch_name) {
  return collective(Collective::reduce_scatter, op, 0, &in, &out, launch_name);
}
std::vector<Handle> Distributed::all_to_all(const Tensor& in, const Tensor& out,
                                            const std::string& launch_name) {
  if (in.shared_state() == out.shared_state()) {
    throw std::invalid_argument("all_to_all: the output must be another tensor than the input");
  }
  return collective(Collective::all_to_all, ReduceOp::sum, 0, &in, &out, launch_name);
}
std::vector<Handle> Distributed::broadcast(const Tensor& t, std::uint32_t root,
                                           const std::string& launch_name) {
  return collective(Collective::broadcast, ReduceOp::sum, root, &t, &t, launch_name);
}
std::vector<Handle> Distributed::barrier(const std::string& launch_name) {
  return collective(Collective::barrier, ReduceOp::sum, 0, nullptr, nullptr, launch_name);
}

}  // namespace kb::runtime

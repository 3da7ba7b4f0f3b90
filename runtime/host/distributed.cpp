#include "runtime/host/distributed.h"

#include "runtime/ccl/patterns.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <tuple>

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

// The elements of the chunks `call` cuts a rank's `block` elements into over `world` (0:
// not cut evenly).
std::int64_t chunk_elements(const CollectiveCall& call, std::int64_t block, std::int64_t world) {
  switch (call.kind) {
    case Collective::all_to_all:
    case Collective::reduce_scatter:
    case Collective::all_gather: return call.count;
    default: return block % world == 0 ? block / world : 0;
  }
}

// How a rank of `plan` loads its `block` elements of input for `call` by `a`. Where the
// algorithm's steps shift with the ranks it loads in the order its steps send (a chunk's
// input is needed when the chunk is first sent or received): in groups, from the one
// holding the end of the first chunk it sends down, each group in address order. A group
// is a chunk where chunks are whole pieces; a tracked part where they are smaller (so that
// a piece holding several chunks is loaded once) or larger but of a broken number of
// pieces. `alike`: every rank's loads are the same, shifted with it by whole groups, for
// ranks `period_step` apart (or a multiple of it).
struct InputLoads {
  std::optional<std::int64_t> first_chunk;  // when shifted: the chunk rank 0 sends first
  std::int64_t group = 0;                   // when shifted
  bool alike = false;
  std::uint32_t period_step = 1;
};
InputLoads input_loads(const CclAlgorithm& a, const CollectiveCall& call, const IpcqPlan& plan,
                       DType dtype, std::int64_t block, std::int64_t tracked) {
  const std::int64_t chunk = chunk_elements(call, block, plan.world_size);
  const bool gather = call.kind == Collective::all_gather;
  InputLoads loads;
  const std::optional<std::int64_t> start = a.shifted_start(call.kind);
  if (start && !gather && chunk > 0) {
    loads.first_chunk = start;
    loads.group = chunk % plan.piece_elements(dtype) == 0 ? chunk : tracked;
    // Loads shift by whole groups for ranks this many apart (any, when one group holds the
    // block); at most the world, which forms no bundle.
    if (block > loads.group) {
      loads.period_step = static_cast<std::uint32_t>(
          std::min<std::int64_t>(loads.group / std::gcd(chunk, loads.group), plan.world_size));
    }
  }
  // Chunks of one size (an all-gather's are), and loaded alike: in whole groups of whole
  // tracked parts.
  loads.alike = start && chunk > 0 &&
                (block <= tracked || (gather && chunk % tracked == 0) ||
                 (loads.first_chunk && block % loads.group == 0 && loads.group % tracked == 0));
  return loads;
}

// The elements of a rank's buffer for `call` on `block` elements of input over `world`.
std::int64_t buffer_elements(const CollectiveCall& call, std::int64_t block, std::int64_t world) {
  switch (call.kind) {
    case Collective::all_to_all: return 2 * call.count * world;  // its chunks, then theirs
    case Collective::reduce_scatter:
    case Collective::all_gather: return call.count * world;
    default: return block;  // all_reduce and broadcast work on the rank's whole block
  }
}

// The kernel every rank's PE runs for one collective.
// `algorithm`: the registered algorithm to run, or "" for each group's own. `ran` counts the
// ranks that run it; with a `bundle`, only its leaders do (runtime/ccl/bundle.h), and
// `results` is the tensor they store into (a leader sending from a copy stores as it).
KernelFn collective_kernel(std::shared_ptr<const ProcessGroups> groups, CollectiveCall call,
                           ReduceOp op, bool has_input, const std::string& algorithm,
                           std::shared_ptr<std::uint32_t> ran,
                           std::optional<Bundle> bundle = std::nullopt,
                           std::optional<Tensor> results = std::nullopt) {
  return [groups, call, op, has_input, algorithm, ran, bundle, results](KernelContext& k) {
    const models::PeLocation& at = k.location();
    const IpcqPlan* installed = groups->plan_of({at.sip, at.cube, at.pe});
    if (installed == nullptr) return;  // this PE is not a rank of any group
    auto r = static_cast<std::uint32_t>(installed->rank_of({at.sip, at.cube, at.pe}));
    if (bundle && !bundle->leads(r)) return;  // its leader runs for it
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
    CollectiveCall mine = call;
    if (!scatter && !gather && !to_all) mine.count = block;
    const std::int64_t world = plan->world_size, n = buffer_elements(call, block, world),
                       chunk = chunk_elements(call, block, world);
    // Load the rank's input piece by piece (flow fidelity: in the parts whose readiness it
    // tracks); each piece may be sent once it is in.
    const CclAlgorithm& a = ccl_algorithm(algorithm.empty() ? plan->config.algorithm : algorithm);
    const std::int64_t piece = RankComm::tracked_elements(*plan, dtype, k.fidelity(), n, chunk);
    const InputLoads loads = input_loads(a, call, *plan, dtype, block, piece);
    Tile buffer = k.full(1, n, dtype, 0.0);
    std::vector<models::Picoseconds> ready(static_cast<std::size_t>((n + piece - 1) / piece), 0);
    // Loads [from, from + count) of the block, `unit` elements at a time. The parts a load
    // covers are in as its data streams in: from when the load before it is done (the first
    // from the start) to its own end, each part by its share.
    models::Picoseconds streamed = k.pe().local_time_ps();
    auto load = [&](std::int64_t from, std::int64_t count, std::int64_t unit) {
      const std::int64_t base = gather ? r * call.count : 0;
      for (std::int64_t b = from; b < from + count; b += unit) {
        for_each_row_piece(
            *in->own_block(), b, std::min(unit, from + count - b),
            [&](std::int64_t row, std::int64_t col, std::int64_t flat, std::int64_t len) {
              PendingTile t = k.load_async(*in, row, col, 1, len);
              const models::Picoseconds begin = std::min(streamed, t.done);
              const std::int64_t first = base + flat, end = first + len;
              for (std::int64_t q = first / piece; q <= (end - 1) / piece; ++q) {
                const auto share = static_cast<double>(std::min((q + 1) * piece, end) - first) /
                                   static_cast<double>(len);
                auto& when = ready[static_cast<std::size_t>(q)];
                when = std::max(when, begin + static_cast<models::Picoseconds>(
                                                  static_cast<double>(t.done - begin) * share));
              }
              streamed = std::max(streamed, t.done);
              buffer.assign(first, t.tile);
            });
      }
    };
    if (in != nullptr && loads.first_chunk) {
      // Flow fidelity loads a group at once, its parts in as they stream.
      const std::int64_t size = loads.group,
                         unit = k.fidelity() == models::Fidelity::flow ? size : piece,
                         count = (block + size - 1) / size,
                         last = (ccl::wrap(*loads.first_chunk + r, world) + 1) * chunk - 1;
      for (std::int64_t j = 0; j < count; ++j) {
        const std::int64_t from = ccl::wrap(last / size - j, count) * size;
        load(from, std::min(size, block - from), unit);
      }
    } else if (in != nullptr) {
      load(0, block, piece);
    }
    ++*ran;
    RankComm comm(k, r, *plan, op, std::move(buffer), piece, std::move(ready));
    comm.flow_by_queue(a.flow_by_queue(call.kind));
    if (members != nullptr) comm.map_ranks(members);
    if (bundle) comm.lead(&*bundle);
    // A leader whose sends leave the bundle sends them from a copy's PE, whose port,
    // unbundled, carries that copy's stores as well: the leader stores as that copy does,
    // into the copy's block, its spans shifted by the chunks between the two ranks.
    struct Copy {
      std::uint32_t rank;
      models::PeLocation at;
      TensorView out;  // the result as that copy's PE sees it
    };
    std::optional<Copy> copy_of;
    comm.on_final = [&](Span span) {
      if (out == nullptr) return;
      const TensorView* view = out;
      const models::PeLocation* via = nullptr;
      std::uint32_t as = r;  // the rank whose store this is
      Span placed = span;
      if (const std::optional<std::uint32_t> copy = comm.sending_copy(); copy && results) {
        if (!copy_of || copy_of->rank != *copy) {
          const PeCoord& pe = plan->rank_to_pe[*copy];
          copy_of =
              Copy{*copy,
                   {pe.sip, pe.cube, pe.pe},
                   TensorView(*results, std::make_shared<const TensorLayout>(*results, pe.sip),
                              pe.sip, pe.cube, pe.pe)};
        }
        view = &copy_of->out;
        via = &copy_of->at;
        as = copy_of->rank;
        // Whole chunks of a buffer of whole chunks (a bundle's loads are alike): no wrap.
        placed.begin = (span.begin + (static_cast<std::int64_t>(as) - r) * chunk % n + n) % n;
      }
      const std::int64_t received = call.count * plan->world_size;  // all_to_all's second half
      const std::int64_t from = scatter ? placed.begin - as * call.count
                                : to_all && placed.begin >= received ? placed.begin - received
                                                                     : placed.begin;
      for_each_row_piece(
          *view->own_block(), from, span.len,
          [&](std::int64_t row, std::int64_t col, std::int64_t flat, std::int64_t len) {
            k.store_async(*view, row, col, comm.buffer.slice(span.begin + flat - from, len),
                          nullptr, via);
          });
    };
    // Its own chunk is already final: in place for all_gather, kept for itself by all_to_all.
    if (gather || to_all) comm.on_final({r * call.count, call.count});
    a.run(comm, mine);
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

std::optional<Bundle> Distributed::bundle_of(const CollectiveCall& call,
                                             const std::string& algorithm, const Tensor& in,
                                             const Tensor* out) const {
  const platform::RunOptions& run = ctx_.simulation().options();
  if (!bundles_ || subgroups_ || on_ || run.fidelity != models::Fidelity::flow ||
      !run.timing_only) {
    return std::nullopt;
  }
  const IpcqPlan& p = plan();
  const CclAlgorithm& a = ccl_algorithm(algorithm);
  const DeviceShard& own = in.shards().front();
  const auto block = static_cast<std::int64_t>(own.rows * own.cols);
  const std::int64_t n = buffer_elements(call, block, p.world_size);
  const std::int64_t tracked = RankComm::tracked_elements(
      p, in.dtype(), models::Fidelity::flow, n, chunk_elements(call, block, p.world_size));
  const InputLoads loads = input_loads(a, call, p, in.dtype(), block, tracked);
  if (!loads.alike) return std::nullopt;
  // Each rank's buffers: where its PE's block of each tensor lies.
  std::vector<models::Endpoint> buffers;
  for (const Tensor* t : {&in, out}) {
    if (t == nullptr || (t != &in && t->shared_state() == in.shared_state())) continue;
    std::map<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>, const DeviceShard*> blocks;
    for (const DeviceShard& s : t->shards()) {
      // A PE holding several blocks is not a collective's simple case.
      if (!blocks.try_emplace({s.sip, s.cube, s.pe}, &s).second) return std::nullopt;
    }
    for (const PeCoord& pe : p.rank_to_pe) {
      auto it = blocks.find({pe.sip, pe.cube, pe.pe});
      if (it == blocks.end()) return std::nullopt;
      const models::PhysAddr& at = it->second->pa;
      using models::EndpointKind;
      const EndpointKind where = at.region == models::Region::sram  ? EndpointKind::sram
                                 : at.region == models::Region::tcm ? EndpointKind::tcm
                                                                    : EndpointKind::hbm;
      buffers.push_back({where, at.sip, at.cube, at.unit});
    }
  }
  return find_bundle(p, a, call.kind, ctx_.topology().fabric(), buffers, loads.period_step);
}

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
    const std::string algorithm = algorithm_for(kind, *in);
    ran_ = std::make_shared<std::uint32_t>(0);
    const std::optional<Bundle> bundle = bundle_of(call, algorithm, *in, out);
    KernelFn kernel = collective_kernel(
        groups_, call, op, true, algorithm, ran_, bundle,
        bundle ? std::optional<Tensor>(out != nullptr ? *out : *in) : std::nullopt);
    // A bundle's leaders run for every rank: the others are not launched.
    std::optional<PeScope> pes = on_;
    if (bundle) {
      pes = PeScope::of({p.rank_to_pe.begin(), p.rank_to_pe.begin() + bundle->period});
    }
    std::vector<Handle> pending =
        pes ? ctx_.launch(name, std::move(kernel), std::move(args), Launch::on_pes(*pes, false))
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
                        algorithm_.empty() ? p.config.algorithm_for(kind, 0) : algorithm_,
                        ran_ = std::make_shared<std::uint32_t>(0)),
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

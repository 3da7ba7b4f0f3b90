#pragma once
// torch.distributed over the IPCQs (docs/collectives.md): collectives whose ranks are the PEs of
// the install plan, called from host threads (spawn_ranks), each of which may bind its own SIP.
//
// A collective tensor holds one block per rank's PE, equal in size on every rank: the
// rank's buffer is its whole block, row after row (the common case, shape (ranks, count)
// split row_wise at every level, gives each rank one row: DPPolicy{row_wise, row_wise,
// row_wise}, or {replicate, row_wise, row_wise} on the calling thread's SIP). The chunks
// all_gather, reduce_scatter and all_to_all exchange are consecutive parts of that buffer
// (an all-to-all's chunk r for rank r). A host thread launches the
// collective on the PEs its tensor covers and waits; the collective completes when every
// rank's PE has joined, whichever threads launched them.

#include "runtime/ccl/algorithm.h"
#include "runtime/ccl/bundle.h"
#include "runtime/ccl/install_plan.h"
#include "runtime/ccl/process_groups.h"
#include "runtime/context/runtime_context.h"

#include <memory>
#include <optional>

namespace kb::runtime {

class Distributed {
 public:
  explicit Distributed(RuntimeContext& ctx) : ctx_(ctx) {}
  // Collectives in groups installed already (by any context): every call runs in each
  // group at once, a PE exchanging with its own group's ranks.
  // `on`: launch on these PEs only (one rank's share of a collective whose tensors cover
  // other ranks' PEs too); by default on every PE the tensors cover. `algorithm`: run this
  // registered algorithm instead of the groups' own, over their queues (the install must
  // connect every pair of ranks it exchanges between, as pairwise's does). `members`: run
  // each collective in the communicator group of these ranks of each installed group only
  // (its queues must connect them likewise).
  Distributed(RuntimeContext& ctx, std::shared_ptr<const ProcessGroups> groups,
              std::optional<PeScope> on = std::nullopt, std::string algorithm = "",
              std::vector<std::uint32_t> members = {})
      : Distributed(ctx, std::move(groups), std::move(on), std::move(algorithm),
                    members.empty() ? std::vector<std::vector<std::uint32_t>>{}
                                    : std::vector<std::vector<std::uint32_t>>{std::move(members)}) {
  }
  // The same, each collective running in every one of `subgroups` at once (disjoint
  // communicator groups of one size, as a tensor-parallel x data-parallel layout's rows or
  // columns); none: in all the ranks. Throws std::invalid_argument for groups of unequal
  // size or sharing a rank.
  Distributed(RuntimeContext& ctx, std::shared_ptr<const ProcessGroups> groups,
              std::optional<PeScope> on, std::string algorithm,
              std::vector<std::vector<std::uint32_t>> subgroups);

  // Installs the IPCQs for `algorithm` from `ccl_yaml` (default: the embedded
  // configs/ccl.yaml) once; later calls (other rank threads) wait for that install.
  // `subgroups`: communicator groups of the world's ranks to connect too, for collectives
  // run among them (the constructors above, with process_groups()).
  void init_process_group(const std::string& algorithm = "", const std::string& ccl_yaml = "",
                          const std::vector<std::vector<std::uint32_t>>& subgroups = {});
  bool initialised() const { return groups_ != nullptr; }
  // The plan of the first (after init_process_group, the only) group.
  const IpcqPlan& plan() const;

  std::uint32_t world_size() const { return plan().world_size; }
  // The calling host thread's rank (spawn_ranks), or 0 outside rank threads.
  std::uint32_t rank() const;

  // Each returns the handle of every SIP it launched on, all waited for.
  // `launch_name` names the kernel launch (the PEs' kernel, timeline slices); default: the
  // collective's name.
  std::vector<Handle> all_reduce(const Tensor& t, ReduceOp op = ReduceOp::sum,
                                 const std::string& launch_name = "");
  std::vector<Handle> all_gather(const Tensor& in, const Tensor& out,
                                 const std::string& launch_name = "");
  std::vector<Handle> reduce_scatter(const Tensor& in, const Tensor& out,
                                     ReduceOp op = ReduceOp::sum,
                                     const std::string& launch_name = "");
  // Rank r's chunk j of `in` (its columns split in world-size chunks) becomes chunk r of
  // rank j's `out` (another tensor of the same shape).
  std::vector<Handle> all_to_all(const Tensor& in, const Tensor& out,
                                 const std::string& launch_name = "");
  std::vector<Handle> broadcast(const Tensor& t, std::uint32_t root,
                                const std::string& launch_name = "");
  // Every rank's PE (of the calling thread's SIP when it bound one) joins an all-reduce of
  // one element.
  std::vector<Handle> barrier(const std::string& launch_name = "");

  // The installed groups (after init_process_group: the one it installed), to run
  // collectives of communicator groups of their ranks (the constructors above).
  const std::shared_ptr<const ProcessGroups>& process_groups() const { return groups_; }

  // The algorithm a collective of `kind` on `in` runs: the one this group was given, else
  // the ccl.yaml tuning table's for a rank's block of `in` (its default algorithm's when
  // the table has no rule for it).
  std::string algorithm_for(Collective kind, const Tensor& in) const;

  // Lets the ranks of a collective run as one bundle where they are congruent, in flow
  // fidelity's timing-only runs (runtime/ccl/bundle.h). For a collective that has the
  // machine to itself, as the collective benches' does; off by default, since the copies'
  // traffic would not meet other kernels' on their PEs.
  void allow_bundles(bool on) { bundles_ = on; }
  // The ranks whose steps the last collective simulated: all of them, or a bundle's leaders.
  std::uint32_t simulated_ranks() const { return ran_ ? *ran_ : 0; }

 private:
  std::vector<Handle> collective(Collective kind, ReduceOp op, std::uint32_t root, const Tensor* in,
                                 const Tensor* out, const std::string& launch_name = "");
  // The bundle of the world's ranks for `call` by `algorithm` on `in` (and `out`), if they
  // may run as one (allow_bundles(), flow fidelity, timing only) and form one.
  std::optional<Bundle> bundle_of(const CollectiveCall& call, const std::string& algorithm,
                                  const Tensor& in, const Tensor* out) const;

  RuntimeContext& ctx_;
  std::shared_ptr<const ProcessGroups> groups_;
  std::optional<PeScope> on_;
  std::string algorithm_;
  std::shared_ptr<const Partition> subgroups_;
  bool installing_ = false;
  bool bundles_ = false;
  std::shared_ptr<std::uint32_t> ran_;  // the last collective's simulated_ranks()
  sc_core::sc_event installed_;
};

}  // namespace kb::runtime

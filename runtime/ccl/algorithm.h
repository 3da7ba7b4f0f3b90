#pragma once
// Collective algorithms as plug-ins (docs/collectives.md): each is one file under ccl/algorithms/
// that defines a CclAlgorithm and registers it with KB_REGISTER_CCL_ALGORITHM. An
// algorithm says whom a rank exchanges with (its IPCQ neighbours), runs the collectives
// it supports on one rank, and states its own alpha-beta lower bound. docs/collectives.md
// ("Adding an algorithm") walks through a complete one.

#include "runtime/bound/bound.h"
#include "runtime/ccl/collective_fabric.h"
#include "runtime/ccl/partition.h"
#include "runtime/ccl/rank_comm.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kb::runtime {

// What a collective asks of the rank (the buffer's meaning depends on `kind`):
//   all_reduce, broadcast, barrier: buffer = the rank's `count` elements, in and out;
//   reduce_scatter: buffer = world x count in, this rank's chunk (at rank x count) out;
//   all_gather: buffer = world x count, this rank's chunk filled in, every chunk out.
struct CollectiveCall {
  Collective kind = Collective::all_reduce;
  std::uint32_t root = 0;
  std::int64_t count = 0;
  // Communicator groups of some of the installed plan's ranks, each running the collective
  // among its own members at once; none: every rank.
  std::shared_ptr<const Partition> subgroups = nullptr;
};

class CclAlgorithm {
 public:
  virtual ~CclAlgorithm() = default;
  virtual std::string name() const = 0;
  virtual std::string summary() const = 0;
  virtual bool supports(Collective c) const = 0;
  // Why the algorithm cannot run on `world` ranks, if it cannot; any world by default.
  virtual std::optional<std::string> rejects_world(std::uint32_t world) const;
  // The ranks `rank` of `plan` (its rank_to_pe, the machine's network levels) exchanges
  // with.
  virtual std::vector<std::uint32_t> neighbours(std::uint32_t rank, const IpcqPlan& plan) const = 0;
  // Runs `call` on comm.rank; on return the buffer holds the result, and on_final has been
  // called for every part of the output.
  virtual void run(RankComm& comm, const CollectiveCall& call) const = 0;
  // A lower bound (ns) on the time of `kind` on `bytes` (nccl-tests' size) over `fabric`:
  // it must never exceed what the simulation can achieve.
  virtual double bound_ns(Collective kind, double bytes, const CollectiveFabric& fabric) const = 0;
  // Further named lower bounds the algorithm knows of (e.g. "credit_window"); none by
  // default.
  virtual Bound extra_terms(Collective kind, double bytes, const CollectiveFabric& fabric) const;
  // For an algorithm whose steps shift with the ranks in `kind` (rank r + d does what rank r
  // does with every rank and chunk index shifted by d, as around a ring): the chunk (of
  // `world` equal ones) rank 0 sends first. Rank r then loads its input from chunk
  // first + r down, in the order its steps need it, so that every rank starts alike, and
  // ranks on congruent PEs may run as one bundle (runtime/ccl/bundle.h). None, the default:
  // the steps do not shift, and the input loads in buffer order.
  virtual std::optional<std::int64_t> shifted_start(Collective kind) const;
  // Flow fidelity moves each span of a step as one transfer and times its credit window
  // analytically (models/pe/pe_ipcq.h). Where every rank's transfer crosses the mesh at
  // once (an all-to-all), a whole span books the links it crosses before a port further
  // on lets its bytes through, and takes a link whole where entry by entry the streams
  // share it: there a queue's worth moves at a time, its credits pacing it as entry by
  // entry (docs/fidelity.md, "Streams sharing the mesh"). By default, for all_to_all.
  virtual bool flow_by_queue(Collective kind) const;
};

// The registered algorithm called `name`; throws std::invalid_argument naming the
// registered ones when there is none.
const CclAlgorithm& ccl_algorithm(const std::string& name);
// Every registered name, sorted.
std::vector<std::string> ccl_algorithm_names();

// Registers an algorithm at static initialisation; a second one of the same name is a
// programming error that stops the process with a message.
struct CclAlgorithmRegistration {
  explicit CclAlgorithmRegistration(std::unique_ptr<CclAlgorithm> algorithm);
};

// Throws std::invalid_argument when `a` does not do `c`.
void require_support(const CclAlgorithm& a, Collective c);

}  // namespace kb::runtime

#define KB_REGISTER_CCL_ALGORITHM(Type)                                                       \
  static const ::kb::runtime::CclAlgorithmRegistration kb_ccl_algorithm_registration_##Type { \
    std::make_unique<Type>()                                                                  \
  }

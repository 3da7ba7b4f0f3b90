#pragma once
// What a set of Chakra traces asks of the machine (docs/workload-traces.md), worked out
// before anything is built: which PEs each rank is, what every node does there and how
// long the nodes timed by the trace take, the dependencies (those on ids absent from a file
// counted and dropped), the order each rank's collectives run in, and the counts the
// report gives. Every reason a trace cannot run is found here, so that `kernbench run
// chakra` refuses it before elaborating.

#include "platform/topology/topology.h"
#include "runtime/ccl/install_plan.h"
#include "runtime/ccl/rank_comm.h"
#include "runtime/trace/chakra_trace.h"
#include "runtime/trace/trace_ranks.h"
#include "runtime/workload/graph.h"

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace kb::chakra {

enum class CompTiming { duration, model };
enum class CpuOps { duration, skip };

struct ImportOptions {
  RankUnit rank_unit = RankUnit::sip;
  CompTiming comp = CompTiming::duration;
  double comp_scale = 1.0;  // recorded durations of device compute are multiplied by it
  CpuOps cpu = CpuOps::duration;
  // The algorithm of all-reduce, all-gather, reduce-scatter and broadcast (all-to-all and
  // barrier use exchange_algorithm's).
  std::string algorithm = "ring";
  // Communicator groups by pg_name, as ASTRA-sim's comm-group file gives them ({"1": [0, 1],
  // ...}); absent: a group is the ranks whose traces name it.
  std::optional<std::map<std::string, std::vector<std::uint32_t>>> comm_groups;
};
// Reads an ASTRA-sim communicator-group file; TraceImportError naming the file and key.
std::map<std::string, std::vector<std::uint32_t>> load_comm_groups(const std::string& path);

// What a node does on its rank's PEs.
enum class Action {
  busy,        // device compute: the PEs held for `ns`
  host,        // CPU-side work: host time `ns`
  nothing,     // a skipped CPU op, or a collective on one rank: dependencies pass through
  collective,  // `collective` over every rank, `in_cols` / `out_cols` f32 elements per PE
  send,        // to rank `peer`, `in_cols` elements per PE
  recv,        // from rank `peer`
  load,        // HBM reads of `in_cols` elements per PE
  store,       // HBM writes
};

struct PlannedNode {
  std::string name;  // unique: "r<rank>.<id> <trace name>"
  runtime::OpClass op_class = runtime::OpClass::other;
  std::uint32_t rank = 0;
  std::uint64_t id = 0;  // in its rank's file
  int type = kInvalidNode;
  std::vector<std::size_t> after;  // planned nodes it waits for
  Action action = Action::nothing;
  double ns = 0;
  runtime::Collective collective = runtime::Collective::all_reduce;
  std::int64_t in_cols = 0, out_cols = 0;
  std::uint32_t peer = 0;
  std::uint64_t bytes = 0;  // comm_size or tensor_size as recorded
  std::size_t ordinal = 0;  // its place among its rank's in its group: the k-th of each meet
  // A collective's communicator group: its name (pg_name; "" for every rank) and its ranks
  // (empty: every rank).
  std::string group;
  std::vector<std::uint32_t> members;
  std::string layer;
};

struct TraceCounts {
  std::size_t nodes = 0;  // over every rank
  std::map<std::string, std::size_t> nodes_by_type;
  std::uint64_t comm_bytes = 0;       // comm_size of collectives and sends
  std::size_t dependencies = 0;       // the trace's own, resolved (before ordering chains)
  std::size_t missing_deps = 0;       // dependencies on ids absent from their file
  std::size_t missing_dep_ids = 0;    // those ids, each once per file
  std::size_t ctrl_deps_dropped = 0;  // control dependencies against the data dependencies
  std::size_t comp_modelled = 0;      // device compute estimated from its op and shapes
  std::size_t comp_recorded = 0;      // timed by its recorded duration
  std::size_t cpu_ops = 0;
  std::map<std::string, std::size_t> unsupported;  // run as nothing, by what they were
};

struct TracePlan {
  std::uint32_t ranks = 0;
  std::int64_t pes_per_rank = 0;
  ImportOptions options;
  std::vector<PlannedNode> nodes;
  TraceCounts counts;
  bool communicates = false;  // some node needs the ranks' queues
  // Per-PE buffer widths (f32 elements) the nodes use, each with how many distinct
  // tensors of that width one node needs at most (2 for a collective's in and out).
  std::map<std::int64_t, int> buffers;
};

// What a trace of `ranks` installs its queues for: pairwise's full mesh, which carries any
// collective of any group and any send, up to the ranks it holds (1,024); above that
// hierarchical's (queues to each network level's group), the chosen algorithm's, and
// those the trace's groups and sends need (TraceWorkload).
std::string exchange_algorithm(std::uint32_t ranks);
// The algorithm a trace's collective of `kind` runs among `ranks`: exchange_algorithm's for
// all-to-all and barrier, the chosen one for the others.
std::string algorithm_for(runtime::Collective kind, const ImportOptions& options,
                          std::uint32_t ranks);

// Throws TraceImportError (more ranks than the machine has of the unit, ranks whose
// collectives disagree, an algorithm that does not do a collective) or GraphError (a cycle).
TracePlan plan_trace(const std::vector<Trace>& ranks, const ImportOptions& options,
                     const platform::Topology& topology);

}  // namespace kb::chakra

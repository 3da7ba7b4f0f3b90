#pragma once
// A workload graph as it ran, written as Chakra execution traces (docs/workload-traces.md):
// one trace per device (rank), its nodes in graph order with their graph index as id.
// Kernels become COMP nodes with their measured duration (those standing for a trace's
// transfers and HBM traffic become those nodes again), collectives COMM_COLL nodes
// (comm_type, and comm_size = the bytes the rank holds: a replayed trace's sizes come back
// rounded up to whole elements per PE), host copies MEM_LOAD nodes, delays CPU-side COMP
// nodes. Dependencies within a device are data_deps; Chakra has no
// dependency across ranks (collectives meet by their order), so those are dropped and
// counted.

#include "runtime/trace/chakra_trace.h"
#include "runtime/workload/executor.h"
#include "runtime/workload/graph.h"

namespace kb::chakra {

struct ExportedTraces {
  std::vector<Trace> ranks;              // by device
  std::size_t nodes = 0;                 // over every rank
  std::size_t dependencies = 0;          // kept, within a rank
  std::size_t dropped_dependencies = 0;  // across ranks
};

// `runs` as the executor returned them for `graph` (empty: durations 0).
ExportedTraces export_traces(const runtime::WorkloadGraph& graph,
                             const std::vector<runtime::NodeRun>& runs);

}  // namespace kb::chakra

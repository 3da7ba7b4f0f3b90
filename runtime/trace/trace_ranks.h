#pragma once
// A trace's ranks: its files, and what a rank is on this machine (docs/workload-traces.md).

#include "platform/topology/topology.h"
#include "runtime/ccl/install_plan.h"
#include "runtime/trace/chakra_trace.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace kb::chakra {

enum class RankUnit { sip, cube, pe };

// A trace the machine cannot run as asked: the command line's or the file's fault.
class TraceImportError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// PREFIX.0.et, PREFIX.1.et, ...: every rank's file, in rank order (a gap is an error). With
// `replicate` > 0 there must be that many files or one, whose trace then runs on every rank.
std::vector<Trace> read_rank_traces(const std::string& prefix, std::int64_t replicate);

// How many ranks of `unit` the machine has, and the PEs of rank `rank` (sip-major order).
std::int64_t rank_capacity(const platform::Topology& t, RankUnit unit);
std::vector<runtime::PeCoord> rank_pes(const platform::Topology& t, RankUnit unit,
                                       std::uint32_t rank);

}  // namespace kb::chakra

#pragma once
// Installing IPCQs on the machine (the seed's install_ipcq): a plan from ccl.yaml and the
// topology, then one IpcqInit per participating cube naming each rank's neighbours, waited
// for. Calls run in a host thread.

#include "platform/topology/topology.h"
#include "runtime/ccl/install_plan.h"
#include "runtime/ccl/process_groups.h"
#include "runtime/requests/requests.h"

#include <optional>

namespace kb::runtime {

// Loads `ccl_yaml` (default: the embedded configs/ccl.yaml), merges its defaults into
// `algorithm` (default: its default algorithm), takes the world size from the override,
// else the algorithm, else `rank_to_pe`'s PEs, else every PE of `machine`; places ranks by
// `rank_to_pe` or the default order; connects `subgroups` (connect_subgroups); installs.
// Returns the plan.
IpcqPlan install_ipcq(Requests& requests, const platform::Topology& topology,
                      const MachineShape& machine, const std::string& algorithm,
                      const std::string& ccl_yaml, std::optional<std::uint32_t> world_size_override,
                      const std::vector<PeCoord>* rank_to_pe,
                      const std::vector<std::vector<std::uint32_t>>& subgroups = {});

// Disjoint communicators at once: a plan per group of PEs (its ranks in the order given),
// one IpcqInit per participating cube holding every group's ranks there.
ProcessGroups install_process_groups(Requests& requests, const platform::Topology& topology,
                                     const MachineShape& machine, const std::string& algorithm,
                                     const std::string& ccl_yaml,
                                     const std::vector<std::vector<PeCoord>>& groups);
// The same with a resolved configuration, each group's plan also connecting `subgroups`
// of its ranks (connect_subgroups) for every algorithm the configuration may choose.
ProcessGroups install_process_groups(Requests& requests, const platform::Topology& topology,
                                     const MachineShape& machine, const CclAlgorithmConfig& chosen,
                                     const std::vector<std::vector<PeCoord>>& groups,
                                     const std::vector<std::vector<std::uint32_t>>& subgroups);

}  // namespace kb::runtime

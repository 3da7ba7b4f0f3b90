#include "runtime/ccl/ipcq_install.h"

#include "runtime/ccl/ccl_config.h"

#include <fmt/format.h>

#include <map>
#include <set>

namespace kb::runtime {

namespace {

// Sends every plan's IpcqInit (one per cube) and waits for them.
void send_ipcq_inits(Requests& requests, const std::vector<IpcqPlan>& plans) {
  // One IpcqInit per participating cube, naming each of its ranks' neighbours' endpoints.
  std::map<std::pair<std::uint32_t, std::uint32_t>, models::IpcqInit> inits;
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::set<std::uint32_t>> pes;
  for (const IpcqPlan& plan : plans) {
    for (std::uint32_t r = 0; r < plan.world_size; ++r) {
      const PeCoord& pe = plan.rank_to_pe[r];
      models::IpcqRankEntry entry{pe.pe, r, {}};
      for (std::uint32_t n : plan.neighbours[r]) {
        const PeCoord& peer = plan.rank_to_pe[n];
        entry.neighbours.push_back(
            {n, models::PhysAddr::mmio(peer.sip, peer.cube, peer.pe).encode()});
      }
      inits[{pe.sip, pe.cube}].ranks.push_back(std::move(entry));
      pes[{pe.sip, pe.cube}].insert(pe.pe);
    }
  }
  const std::string algorithm = plans.empty() ? "" : plans.front().config.algorithm;
  std::vector<Handle> pending;
  for (auto& [cube, init] : inits) {
    TraceEntry meta{"ipcq_init", algorithm, cube.first, cube.second, std::nullopt, 0};
    const auto& in_cube = pes[cube];
    pending.push_back(requests.submit(
        control_message(std::move(init), fmt::format("ipcq_s{}c{}", cube.first, cube.second),
                        {in_cube.begin(), in_cube.end()}),
        {{cube.first, cube.second}}, meta));
  }
  for (const Handle& h : pending) requests.wait(h);
}

}  // namespace

IpcqPlan install_ipcq(Requests& requests, const platform::Topology& topology,
                      const MachineShape& machine, const std::string& algorithm,
                      const std::string& ccl_yaml, std::optional<std::uint32_t> world_size_override,
                      const std::vector<PeCoord>* rank_to_pe,
                      const std::vector<std::vector<std::uint32_t>>& subgroups) {
  const CclConfig config = ccl_yaml.empty() ? default_ccl_config() : load_ccl_config(ccl_yaml);
  CclAlgorithmConfig chosen = config.resolve(algorithm);
  if (world_size_override) chosen.world_size = *world_size_override;
  const auto& ipcq = topology.cube.pe_template.components.pe_ipcq.attrs;
  IpcqPlan plan = build_plan(chosen, machine, static_cast<std::uint32_t>(topology.sip.cube_mesh.w),
                             static_cast<std::uint32_t>(topology.sip.cube_mesh.h), rank_to_pe,
                             static_cast<std::uint64_t>(ipcq.depth),
                             static_cast<std::uint64_t>(ipcq.entry_bytes));
  connect_subgroups(plan, subgroups);
  send_ipcq_inits(requests, {plan});
  return plan;
}

ProcessGroups install_process_groups(Requests& requests, const platform::Topology& topology,
                                     const MachineShape& machine, const std::string& algorithm,
                                     const std::string& ccl_yaml,
                                     const std::vector<std::vector<PeCoord>>& groups) {
  const CclConfig config = ccl_yaml.empty() ? default_ccl_config() : load_ccl_config(ccl_yaml);
  return install_process_groups(requests, topology, machine, config.resolve(algorithm), groups, {});
}

ProcessGroups install_process_groups(Requests& requests, const platform::Topology& topology,
                                     const MachineShape& machine, const CclAlgorithmConfig& chosen,
                                     const std::vector<std::vector<PeCoord>>& groups,
                                     const std::vector<std::vector<std::uint32_t>>& subgroups) {
  const auto& ipcq = topology.cube.pe_template.components.pe_ipcq.attrs;
  std::vector<IpcqPlan> plans;
  for (const std::vector<PeCoord>& group : groups) {
    CclAlgorithmConfig sized = chosen;
    sized.world_size = static_cast<std::int64_t>(group.size());
    plans.push_back(build_plan(sized, machine, static_cast<std::uint32_t>(topology.sip.cube_mesh.w),
                               static_cast<std::uint32_t>(topology.sip.cube_mesh.h), &group,
                               static_cast<std::uint64_t>(ipcq.depth),
                               static_cast<std::uint64_t>(ipcq.entry_bytes)));
    connect_subgroups(plans.back(), subgroups);
  }
  ProcessGroups installed(std::move(plans));
  send_ipcq_inits(requests, installed.plans());
  return installed;
}

}  // namespace kb::runtime

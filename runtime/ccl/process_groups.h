#pragma once
// Disjoint communicators installed together (torch.distributed.new_group): each group of
// PEs has its own install plan, and one collective call runs in every group at once, each
// PE exchanging with the ranks of its own group. Tensor parallelism over SIPs uses one
// group per PE position: the same PE of every SIP.

#include "runtime/ccl/install_plan.h"

#include <map>
#include <vector>

namespace kb::runtime {

class ProcessGroups {
 public:
  // Throws std::invalid_argument when a PE belongs to two groups.
  explicit ProcessGroups(std::vector<IpcqPlan> plans);

  const std::vector<IpcqPlan>& plans() const { return plans_; }
  // The plan of the group `pe` belongs to, or nullptr when it takes no part.
  const IpcqPlan* plan_of(const PeCoord& pe) const;

 private:
  static std::uint64_t key(const PeCoord& pe);
  std::vector<IpcqPlan> plans_;
  std::map<std::uint64_t, std::size_t> group_by_pe_;
};

}  // namespace kb::runtime

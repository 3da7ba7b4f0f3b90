#include "runtime/ccl/process_groups.h"

#include <fmt/format.h>

namespace kb::runtime {

std::uint64_t ProcessGroups::key(const PeCoord& pe) {
  return (static_cast<std::uint64_t>(pe.sip) << 40) | (static_cast<std::uint64_t>(pe.cube) << 20) |
         pe.pe;
}

ProcessGroups::ProcessGroups(std::vector<IpcqPlan> plans) : plans_(std::move(plans)) {
  for (std::size_t g = 0; g < plans_.size(); ++g) {
    for (const PeCoord& pe : plans_[g].rank_to_pe) {
      const auto [it, added] = group_by_pe_.emplace(key(pe), g);
      if (!added) {
        throw std::invalid_argument(
            fmt::format("process groups {} and {} both hold sip{}.cube{}.pe{}", it->second, g,
                        pe.sip, pe.cube, pe.pe));
      }
    }
  }
}

const IpcqPlan* ProcessGroups::plan_of(const PeCoord& pe) const {
  const auto it = group_by_pe_.find(key(pe));
  return it == group_by_pe_.end() ? nullptr : &plans_[it->second];
}

}  // namespace kb::runtime

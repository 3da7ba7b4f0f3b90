#include "runtime/ccl/partition.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace kb::runtime {

Partition::Partition(std::vector<std::vector<std::uint32_t>> groups) : groups_(std::move(groups)) {
  if (groups_.empty()) throw std::invalid_argument("communicator groups: none given");
  std::uint32_t highest = 0;
  for (const std::vector<std::uint32_t>& g : groups_) {
    if (g.empty() || g.size() != groups_.front().size()) {
      throw std::invalid_argument(fmt::format(
          "communicator groups of {} and {} ranks: a collective's groups are of one size",
          groups_.front().size(), g.size()));
    }
    highest = std::max(highest, *std::max_element(g.begin(), g.end()));
  }
  group_of_.assign(highest + std::size_t{1}, kNone);
  index_of_.assign(group_of_.size(), kNone);
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    for (std::size_t i = 0; i < groups_[g].size(); ++i) {
      const std::uint32_t r = groups_[g][i];
      if (group_of_[r] != kNone)
        throw std::invalid_argument(fmt::format("rank {} is in two communicator groups", r));
      group_of_[r] = static_cast<std::uint32_t>(g);
      index_of_[r] = static_cast<std::uint32_t>(i);
    }
  }
}

std::optional<Partition::Place> Partition::place(std::uint32_t rank) const {
  if (rank >= group_of_.size() || group_of_[rank] == kNone) return std::nullopt;
  return Place{&groups_[group_of_[rank]], index_of_[rank]};
}

}  // namespace kb::runtime

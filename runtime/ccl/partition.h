#pragma once
// Communicator groups a collective runs in at once: disjoint groups of one size of an
// installed plan's ranks (a tensor-parallel x data-parallel layout's rows or columns, an
// expert-parallel stage). Each rank's group and place in it are found once, here, not by
// every rank's kernel searching the groups.

#include <cstdint>
#include <optional>
#include <vector>

namespace kb::runtime {

class Partition {
 public:
  // Throws std::invalid_argument for no groups, an empty one, groups of unequal size, or a
  // rank in two of them.
  explicit Partition(std::vector<std::vector<std::uint32_t>> groups);

  const std::vector<std::vector<std::uint32_t>>& groups() const { return groups_; }
  std::uint32_t group_size() const { return static_cast<std::uint32_t>(groups_.front().size()); }
  // The group `rank` (of the installed plan) is in, and its index among the members;
  // nothing when it is in none.
  struct Place {
    const std::vector<std::uint32_t>* members;
    std::uint32_t index;
  };
  std::optional<Place> place(std::uint32_t rank) const;

 private:
  static constexpr std::uint32_t kNone = ~0U;
  std::vector<std::vector<std::uint32_t>> groups_;
  std::vector<std::uint32_t> group_of_, index_of_;  // by rank; kNone: in no group
};

}  // namespace kb::runtime

#include "runtime/ccl/install_plan.h"

#include "runtime/ccl/algorithm.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace kb::runtime {

namespace {

std::uint64_t key(const PeCoord& pe) {
  return (static_cast<std::uint64_t>(pe.sip) << 40) | (static_cast<std::uint64_t>(pe.cube) << 20) |
         pe.pe;
}

// Cubes (x, y) of a w x h mesh along a closed path from (0, 0) where one exists.
std::vector<std::pair<std::uint32_t, std::uint32_t>> cube_cycle(std::uint32_t w, std::uint32_t h) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> order;
  const bool transpose = h % 2 != 0 && w % 2 == 0;  // build on the even side
  const std::uint32_t a = transpose ? h : w, b = transpose ? w : h;
  auto push = [&](std::uint32_t x, std::uint32_t y) {
    order.emplace_back(transpose ? y : x, transpose ? x : y);
  };
  if (a == 1 || b == 1 || b % 2 != 0) {  // no closed path: a snake
    for (std::uint32_t y = 0; y < b; ++y)
      for (std::uint32_t i = 0; i < a; ++i) push(y % 2 == 0 ? i : a - 1 - i, y);
    return order;
  }
  for (std::uint32_t x = 0; x < a; ++x) push(x, 0);
  for (std::uint32_t y = 1; y < b; ++y)
    for (std::uint32_t i = 0; i < a - 1; ++i) push(y % 2 == 1 ? a - 1 - i : 1 + i, y);
  for (std::uint32_t y = b - 1; y >= 1; --y) push(0, y);
  return order;
}

}  // namespace

IpcqPlan subgroup(const IpcqPlan& plan, const std::vector<std::uint32_t>& members) {
  IpcqPlan sub;
  sub.config = plan.config;
  sub.sip_levels = plan.sip_levels;
  sub.world_size = static_cast<std::uint32_t>(members.size());
  sub.piece_bytes = plan.piece_bytes;
  sub.queue_depth = plan.queue_depth;
  sub.entry_bytes = plan.entry_bytes;
  for (std::uint32_t r = 0; r < sub.world_size; ++r) {
    const std::uint32_t m = members[r];
    if (m >= plan.world_size) {
      throw std::invalid_argument(
          fmt::format("group rank {}: {} is not one of the {} ranks", r, m, plan.world_size));
    }
    const PeCoord& pe = plan.rank_to_pe[m];
    if (!sub.rank_by_pe_.emplace(key(pe), r).second)
      throw std::invalid_argument(fmt::format("group rank {}: rank {} appears twice", r, m));
    sub.rank_to_pe.push_back(pe);
  }
  const CclAlgorithm& algorithm = ccl_algorithm(sub.config.algorithm);
  for (std::uint32_t r = 0; r < sub.world_size; ++r)
    sub.neighbours.push_back(algorithm.neighbours(r, sub));
  return sub;
}

void connect_subgroups(IpcqPlan& plan, const std::vector<std::vector<std::uint32_t>>& groups) {
  const std::vector<std::string> algorithms = plan.config.algorithms();
  for (const std::vector<std::uint32_t>& members : groups) {
    const IpcqPlan group = subgroup(plan, members);
    for (std::uint32_t r = 0; r < group.world_size; ++r) {
      std::vector<std::uint32_t>& mine = plan.neighbours[members[r]];
      for (const std::string& a : algorithms) {
        for (std::uint32_t n : ccl_algorithm(a).neighbours(r, group))
          if (std::find(mine.begin(), mine.end(), members[n]) == mine.end())
            mine.push_back(members[n]);
      }
    }
  }
}

std::int64_t IpcqPlan::rank_of(const PeCoord& pe) const {
  const auto it = rank_by_pe_.find(key(pe));
  return it == rank_by_pe_.end() ? -1 : static_cast<std::int64_t>(it->second);
}

std::vector<PeCoord> default_rank_order(const MachineShape& m, std::uint32_t mesh_w,
                                        std::uint32_t mesh_h, std::uint32_t count) {
  std::vector<PeCoord> order;
  const auto cubes = cube_cycle(mesh_w, mesh_h);
  for (std::int64_t s = m.first_sip; s < m.first_sip + m.sips; ++s)
    for (const auto& [x, y] : cubes)
      for (std::int64_t p = 0; p < m.pes_per_cube; ++p) {
        if (order.size() == count) return order;
        order.push_back(
            {static_cast<std::uint32_t>(s), y * mesh_w + x, static_cast<std::uint32_t>(p)});
      }
  return order;
}

IpcqPlan build_plan(const CclAlgorithmConfig& config, const MachineShape& m, std::uint32_t mesh_w,
                    std::uint32_t mesh_h, const std::vector<PeCoord>* rank_to_pe,
                    std::uint64_t queue_depth, std::uint64_t entry_bytes) {
  const auto pes = static_cast<std::uint64_t>(m.sips * m.cubes_per_sip * m.pes_per_cube);
  IpcqPlan plan;
  plan.config = config;
  plan.sip_levels = m.sip_levels;
  const std::uint64_t world = config.world_size ? static_cast<std::uint64_t>(*config.world_size)
                              : rank_to_pe      ? rank_to_pe->size()
                                                : pes;
  if (world < 1 || world > pes) {
    throw std::invalid_argument(
        fmt::format("world size {} does not fit the {} PEs in scope", world, pes));
  }
  plan.world_size = static_cast<std::uint32_t>(world);
  if (rank_to_pe != nullptr) {
    if (rank_to_pe->size() != world) {
      throw std::invalid_argument(fmt::format("rank_to_pe names {} PEs for a world of {} ranks",
                                              rank_to_pe->size(), world));
    }
    plan.rank_to_pe = *rank_to_pe;
  } else {
    plan.rank_to_pe = default_rank_order(m, mesh_w, mesh_h, plan.world_size);
  }
  for (std::uint32_t r = 0; r < plan.world_size; ++r) {
    const PeCoord& pe = plan.rank_to_pe[r];
    const bool inside = pe.sip >= m.first_sip && pe.sip < m.first_sip + m.sips &&
                        pe.cube < m.cubes_per_sip && pe.pe < m.pes_per_cube;
    if (!inside)
      throw std::invalid_argument(fmt::format("rank {}: sip{}.cube{}.pe{} is outside the machine",
                                              r, pe.sip, pe.cube, pe.pe));
    if (!plan.rank_by_pe_.emplace(key(pe), r).second) {
      throw std::invalid_argument(fmt::format("rank {}: sip{}.cube{}.pe{} already has rank {}", r,
                                              pe.sip, pe.cube, pe.pe, plan.rank_by_pe_[key(pe)]));
    }
  }
  const CclAlgorithm& algorithm = ccl_algorithm(config.algorithm);
  if (auto why = algorithm.rejects_world(plan.world_size)) {
    throw std::invalid_argument(fmt::format("{}: {}", algorithm.name(), *why));
  }
  // A tuning table's rules whose algorithm cannot run this world (rhd on a world that is no
  // power of two) give way to the next; the rest bring their neighbours.
  for (auto& [kind, rules] : plan.config.tuning) {
    rules.erase(
        std::remove_if(
            rules.begin(), rules.end(),
            [&](const TuningRule& rule) {
              return ccl_algorithm(rule.algorithm).rejects_world(plan.world_size).has_value();
            }),
        rules.end());
  }
  plan.neighbours.resize(plan.world_size);
  const std::vector<std::string> algorithms = plan.config.algorithms();
  for (std::uint32_t r = 0; r < plan.world_size; ++r) {
    std::vector<std::uint32_t>& mine = plan.neighbours[r];
    mine = algorithm.neighbours(r, plan);
    for (std::size_t a = 1; a < algorithms.size(); ++a) {
      for (std::uint32_t n : ccl_algorithm(algorithms[a]).neighbours(r, plan))
        if (std::find(mine.begin(), mine.end(), n) == mine.end()) mine.push_back(n);
    }
  }
  // A piece is at most a quarter of a queue, so that up to three pieces ahead of the
  // receives fit it (lookahead_pieces).
  plan.queue_depth = queue_depth;
  plan.entry_bytes = entry_bytes;
  plan.piece_bytes = std::max<std::uint64_t>(
      1, std::min<std::uint64_t>(static_cast<std::uint64_t>(config.chunk_bytes),
                                 plan.queue_bytes() / 4));
  return plan;
}

std::int64_t IpcqPlan::piece_elements(DType dtype) const {
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(piece_bytes / itemsize(dtype)));
}

std::int64_t IpcqPlan::lookahead_pieces(DType dtype) const {
  return lookahead_of(static_cast<std::uint64_t>(piece_elements(dtype)) * itemsize(dtype));
}

std::int64_t IpcqPlan::lookahead_of(std::uint64_t unit_bytes) const {
  const std::uint64_t entries = (unit_bytes + entry_bytes - 1) / entry_bytes;
  // The unit being sent plus those ahead of it must fit the queue.
  return std::clamp<std::int64_t>(static_cast<std::int64_t>(queue_depth / entries) - 1, 0, 3);
}

nlohmann::ordered_json IpcqPlan::to_json() const {
  nlohmann::ordered_json ranks = nlohmann::ordered_json::array();
  for (std::uint32_t r = 0; r < world_size; ++r) {
    const PeCoord& pe = rank_to_pe[r];
    ranks.push_back({{"rank", r},
                     {"sip", pe.sip},
                     {"cube", pe.cube},
                     {"pe", pe.pe},
                     {"neighbours", neighbours[r]}});
  }
  return {{"algorithm", config.algorithm},
          {"world_size", world_size},
          {"chunk_bytes", config.chunk_bytes},
          {"piece_bytes", piece_bytes},
          {"ranks", std::move(ranks)}};
}

std::string IpcqPlan::to_string() const {
  std::string out = fmt::format("algorithm {}, world size {}, piece {} bytes\n", config.algorithm,
                                world_size, piece_bytes);
  for (std::uint32_t r = 0; r < world_size; ++r) {
    const PeCoord& pe = rank_to_pe[r];
    out += fmt::format("rank {:>5}  sip{}.cube{}.pe{}  neighbours {}\n", r, pe.sip, pe.cube, pe.pe,
                       fmt::join(neighbours[r], " "));
  }
  return out;
}

}  // namespace kb::runtime

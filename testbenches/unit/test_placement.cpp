#define BOOST_TEST_MODULE placement
#include "runtime/tensor/dp_policy.h"

#include <boost/test/unit_test.hpp>

#include <map>
#include <set>
#include <tuple>

using namespace kb::runtime;

namespace {

DPPolicy policy(Split sip, Split cube, Split pe, std::optional<std::int64_t> num_sips = {},
                std::optional<std::int64_t> num_cubes = {},
                std::optional<std::int64_t> num_pes = {}) {
  return DPPolicy{sip, cube, pe, num_sips, num_cubes, num_pes};
}

constexpr Split kSplits[] = {Split::replicate, Split::row_wise, Split::column_wise};

struct Case {
  MachineShape machine;
  std::optional<std::int64_t> num_sips, num_cubes, num_pes;
};

std::int64_t used(const std::optional<std::int64_t>& n, std::int64_t all) { return n ? *n : all; }

bool overlaps(const Shard& a, const Shard& b) {
  return a.row_begin < b.row_begin + b.rows && b.row_begin < a.row_begin + a.rows &&
         a.col_begin < b.col_begin + b.cols && b.col_begin < a.col_begin + a.cols;
}

// Every invariant of docs/addressing.md (placement) for one resolved placement.
void check_placement(const DPPolicy& dp, const Case& c, const Placement& p, std::uint64_t rows,
                     std::uint64_t cols, DType dtype) {
  const std::int64_t S = used(c.num_sips, c.machine.sips);
  const std::int64_t C = used(c.num_cubes, c.machine.cubes_per_sip);
  const std::int64_t P = used(c.num_pes, c.machine.pes_per_cube);
  BOOST_TEST(p.shards.size() == static_cast<std::size_t>(S * C * P));
  std::uint64_t blocks = 1;
  for (auto [split, n] : {std::pair{dp.sip, S}, std::pair{dp.cube, C}, std::pair{dp.pe, P}}) {
    if (split != Split::replicate) blocks *= static_cast<std::uint64_t>(n);
  }
  BOOST_TEST(p.blocks == blocks);
  BOOST_TEST(p.nbytes() == rows * cols * itemsize(dtype));

  // Shards sit on distinct PEs, in (sip, cube, pe) order, within the used units.
  std::set<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>> seen;
  for (const Shard& s : p.shards) {
    BOOST_TEST(s.sip < static_cast<std::uint32_t>(S));
    BOOST_TEST(s.cube < static_cast<std::uint32_t>(C));
    BOOST_TEST(s.pe < static_cast<std::uint32_t>(P));
    BOOST_TEST(seen.insert({s.sip, s.cube, s.pe}).second);
    BOOST_TEST(s.global_pe == (static_cast<std::uint64_t>(s.sip) *
                                   static_cast<std::uint64_t>(c.machine.cubes_per_sip) +
                               s.cube) *
                                      static_cast<std::uint64_t>(c.machine.pes_per_cube) +
                                  s.pe);
    BOOST_TEST(s.nbytes == s.rows * s.cols * itemsize(dtype));
    BOOST_TEST(s.nbytes == p.block_bytes);
    BOOST_TEST(s.offset_bytes == s.block * p.block_bytes);
  }
  BOOST_TEST(std::is_sorted(p.shards.begin(), p.shards.end(), [](const Shard& a, const Shard& b) {
    return std::tie(a.sip, a.cube, a.pe) < std::tie(b.sip, b.cube, b.pe);
  }));

  // A replica is the set of shards with the same coordinates at the replicating levels:
  // each replica covers every element exactly once, holding each block once.
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, std::vector<const Shard*>>
      replicas;
  for (const Shard& s : p.shards) {
    replicas[{dp.sip == Split::replicate ? s.sip : -1, dp.cube == Split::replicate ? s.cube : -1,
              dp.pe == Split::replicate ? s.pe : -1}]
        .push_back(&s);
  }
  std::map<std::uint64_t, const Shard*> block_owner;
  for (const auto& [key, shards] : replicas) {
    BOOST_TEST(shards.size() == blocks);
    std::uint64_t area = 0;
    std::set<std::uint64_t> block_ids;
    for (std::size_t i = 0; i < shards.size(); ++i) {
      area += shards[i]->rows * shards[i]->cols;
      block_ids.insert(shards[i]->block);
      for (std::size_t j = i + 1; j < shards.size(); ++j)
        BOOST_TEST(!overlaps(*shards[i], *shards[j]));
      // The same block means the same elements, whichever replica holds it.
      auto [it, fresh] = block_owner.emplace(shards[i]->block, shards[i]);
      if (!fresh) {
        BOOST_TEST(it->second->row_begin == shards[i]->row_begin);
        BOOST_TEST(it->second->col_begin == shards[i]->col_begin);
      }
    }
    BOOST_TEST(area == rows * cols);
    BOOST_TEST(block_ids.size() == blocks);
    BOOST_TEST(*block_ids.rbegin() == blocks - 1);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(all_27_policies_with_and_without_overrides) {
  const Case cases[] = {
      {{1, 2, 2}, {}, {}, {}},   // tiny
      {{1, 16, 8}, {}, {}, {}},  // default
      {{4, 16, 8}, {}, {}, {}},  // multi-SIP
      {{4, 16, 8}, 3, 5, 3},     // multi-SIP with every num_* override
      {{1, 16, 8}, {}, 4, {}},  {{4, 16, 8}, 2, {}, 6},
  };
  int resolved = 0;
  for (const Case& c : cases) {
    const auto n = static_cast<std::uint64_t>(used(c.num_sips, c.machine.sips) *
                                              used(c.num_cubes, c.machine.cubes_per_sip) *
                                              used(c.num_pes, c.machine.pes_per_cube));
    for (Split s : kSplits)
      for (Split cu : kSplits)
        for (Split pe : kSplits) {
          DPPolicy dp{s, cu, pe, c.num_sips, c.num_cubes, c.num_pes};
          for (DType dtype : {DType::f16, DType::i8, DType::f32}) {
            const std::uint64_t rows = 2 * n;
            const std::uint64_t cols = 3 * n;
            BOOST_TEST_CONTEXT(dp.to_string()
                               << " on " << c.machine.sips << "x" << c.machine.cubes_per_sip << "x"
                               << c.machine.pes_per_cube << " " << to_string(dtype)) {
              const Placement p = resolve_placement(
                  dp, {static_cast<std::int64_t>(rows), static_cast<std::int64_t>(cols)}, dtype,
                  c.machine);
              check_placement(dp, c, p, rows, cols, dtype);
              ++resolved;
            }
          }
        }
  }
  BOOST_TEST(resolved == 6 * 27 * 3);
}

BOOST_AUTO_TEST_CASE(splits_are_contiguous_blocks_sip_then_cube_then_pe) {
  // 8 x 4 f32 over 2 SIPs (rows), 2 cubes (columns), 2 PEs (rows).
  const Placement p = resolve_placement(
      policy(Split::row_wise, Split::column_wise, Split::row_wise), {8, 4}, DType::f32, {2, 2, 2});
  BOOST_REQUIRE(p.shards.size() == 8u);
  const Shard& s = p.shards[5];  // sip 1, cube 0, pe 1
  BOOST_TEST(s.sip == 1u);
  BOOST_TEST(s.cube == 0u);
  BOOST_TEST(s.pe == 1u);
  BOOST_TEST(s.row_begin == 6u);
  BOOST_TEST(s.rows == 2u);
  BOOST_TEST(s.col_begin == 0u);
  BOOST_TEST(s.cols == 2u);
  BOOST_TEST(s.block == 5u);
  BOOST_TEST(s.offset_bytes == 5u * 16u);
  BOOST_TEST(p.shards[7].global_pe == 7u);
}

BOOST_AUTO_TEST_CASE(one_d_and_higher_rank_shapes) {
  const Placement v =
      resolve_placement(policy(Split::replicate, Split::column_wise, Split::column_wise), {64},
                        DType::f16, {1, 4, 2});
  BOOST_TEST(v.rows == 1u);
  BOOST_TEST(v.cols == 64u);
  BOOST_TEST(v.shards[3].cols == 8u);
  const Placement t = resolve_placement(policy(Split::replicate, Split::row_wise, Split::replicate),
                                        {2, 3, 8}, DType::f32, {1, 2, 2});
  BOOST_TEST(t.rows == 6u);
  BOOST_TEST(t.cols == 8u);
  BOOST_TEST(t.nbytes() == 2u * 3u * 8u * 4u);
  BOOST_TEST(t.shards[2].row_begin == 3u);
}

BOOST_AUTO_TEST_CASE(a_shape_that_does_not_divide_names_the_dimension) {
  auto message = [](const DPPolicy& dp, std::vector<std::int64_t> shape, MachineShape m) {
    try {
      resolve_placement(dp, shape, DType::f16, m);
    } catch (const PlacementError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  BOOST_TEST(
      message(policy(Split::replicate, Split::row_wise, Split::replicate), {10, 8}, {1, 4, 2}) ==
      "cannot split dimension 0 (rows) row_wise over 4 cubes: 10 is not a multiple of 4");
  BOOST_TEST(
      message(policy(Split::replicate, Split::replicate, Split::column_wise), {8, 6}, {1, 4, 4}) ==
      "cannot split dimension 1 (columns) column_wise over 4 PEs: 6 is not a multiple of 4");
  // The PE level splits what the cube level left: 16 rows / 4 cubes = 4, not a multiple of 8.
  BOOST_TEST(
      message(policy(Split::replicate, Split::row_wise, Split::row_wise), {16, 8}, {1, 4, 8}) ==
      "cannot split dimension 0 (rows) row_wise over 8 PEs: 4 is not a multiple of 8");
  BOOST_TEST(message(policy(Split::row_wise, Split::replicate, Split::replicate), {7}, {2, 1, 1}) ==
             "cannot split the rows (a 1-D tensor has one) row_wise over 2 SIPs: 1 is not a "
             "multiple of 2");
  BOOST_TEST(message(policy(Split::replicate, Split::replicate, Split::column_wise), {4, 4, 6},
                     {1, 1, 4}) ==
             "cannot split dimension 2 (columns) column_wise over 4 PEs: 6 is not a multiple of 4");
  BOOST_TEST(message(policy(Split::replicate, Split::replicate, Split::replicate, 2), {4, 4},
                     {1, 1, 1}) == "num_sips=2 is out of range: the machine has 1 SIP(s)");
  BOOST_TEST(message(policy(Split::replicate, Split::replicate, Split::replicate, {}, {}, 0),
                     {4, 4}, {1, 1, 1}) == "num_pes=0 is out of range: the machine has 1 PE(s)");
  BOOST_TEST(message(policy(Split::replicate, Split::replicate, Split::replicate), {0, 4},
                     {1, 1, 1}) == "dimension 0 has size 0; every dimension must be >= 1");
}

BOOST_AUTO_TEST_CASE(device_scoping_keeps_a_tensor_on_its_sip) {
  const MachineShape m{4, 2, 2};
  const DPPolicy sharded_in_sip = policy(Split::replicate, Split::row_wise, Split::column_wise);
  const Placement p = resolve_placement(sharded_in_sip, {8, 8}, DType::f32, m, 2);
  BOOST_TEST(p.shards.size() == 4u);
  for (const Shard& s : p.shards) {
    BOOST_TEST(s.sip == 2u);
    BOOST_TEST(s.global_pe / 4 == 2u);
  }
  // A SIP-level split, or an explicit num_sips, ignores the device binding.
  BOOST_TEST(resolve_placement(policy(Split::row_wise, Split::replicate, Split::replicate), {8, 8},
                               DType::f32, m, 2)
                 .shards.size() == 16u);
  DPPolicy counted = sharded_in_sip;
  counted.num_sips = 2;
  const Placement q = resolve_placement(counted, {8, 8}, DType::f32, m, 3);
  BOOST_TEST(q.shards.front().sip == 0u);
  BOOST_TEST(q.shards.back().sip == 1u);
  BOOST_CHECK_THROW(resolve_placement(sharded_in_sip, {8, 8}, DType::f32, m, 4), PlacementError);
}

BOOST_AUTO_TEST_CASE(policy_text_and_parsing) {
  BOOST_TEST(parse_split("column_wise").value() == Split::column_wise);
  BOOST_TEST(!parse_split("rows").has_value());
  const DPPolicy dp = policy(Split::row_wise, Split::replicate, Split::column_wise, {}, 3);
  BOOST_TEST(dp.to_string() ==
             "DPPolicy(sip=row_wise, cube=replicate, pe=column_wise, num_cubes=3)");
}

BOOST_AUTO_TEST_CASE(a_context_bound_to_one_sip_places_there) {
  const MachineShape all{4, 2, 2};
  const MachineShape third = all.only_sip(2);
  const Placement p = resolve_placement(
      policy(Split::row_wise, Split::column_wise, Split::replicate), {8, 8}, DType::f32, third);
  BOOST_TEST(p.shards.size() == 4u);
  for (const Shard& s : p.shards) BOOST_TEST(s.sip == 2u);
  BOOST_TEST(p.shards.front().global_pe == 8u);
  BOOST_CHECK_THROW(all.only_sip(4), PlacementError);
  BOOST_CHECK_THROW(resolve_placement(policy(Split::replicate, Split::replicate, Split::replicate),
                                      {8}, DType::f32, third, 1),
                    PlacementError);
}

#define BOOST_TEST_MODULE expert_routing
// A mixture's routing, drawn when its step is built: every token's experts distinct, the
// skew moving tokens to expert 0, the capacity the most any rank sends one expert, the same
// draw from the same seed; and the dispatch buffers' rows, one for each (rank, slot).
#include "runtime/workload/expert_routing.h"

#include <boost/test/unit_test.hpp>

#include <set>

using namespace kb::runtime;

namespace {

ModelConfig mixture(std::int64_t experts, std::int64_t per_token) {
  ModelConfig m;
  m.name = "m";
  m.hidden_size = 64;
  m.num_attention_heads = 8;
  m.num_key_value_heads = 8;
  m.intermediate_size = 128;
  m.num_hidden_layers = 4;
  m.vocab_size = 100;
  m.num_local_experts = experts;
  m.num_experts_per_tok = per_token;
  m.moe_intermediate_size = 64;
  m.first_k_dense_replace = 1;
  return m;
}

StepShape prefill(std::int64_t batch, std::int64_t seq, std::int64_t ep, double skew) {
  StepShape s;
  s.phase = Phase::prefill;
  s.batch = batch;
  s.seq = seq;
  s.ep = ep;
  s.layers = 4;
  s.routing_skew = skew;
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_token_goes_to_distinct_experts_and_dense_layers_route_none) {
  const ModelConfig m = mixture(8, 3);
  const ExpertRouting r = route_experts(m, prefill(4, 16, 2, 0.3));
  BOOST_TEST(r.local() == 4);
  BOOST_TEST(r.of(0, 0).empty());  // first_k_dense_replace: 1
  std::int64_t total = 0;
  for (std::int64_t l = 1; l < 4; ++l) {
    for (std::int64_t replica = 0; replica < 2; ++replica) {
      const std::vector<std::int32_t>& c = r.of(l, replica);
      BOOST_TEST(c.size() == 2u * 16u * 3u);  // each rank's two sequences of 16 tokens
      for (std::size_t t = 0; t < c.size(); t += 3) {
        const std::set<std::int32_t> mine(c.begin() + static_cast<std::ptrdiff_t>(t),
                                          c.begin() + static_cast<std::ptrdiff_t>(t + 3));
        BOOST_TEST(mine.size() == 3u);
        for (std::int32_t e : mine) BOOST_TEST((e >= 0 && e < 8));
      }
      total += static_cast<std::int64_t>(c.size());
    }
  }
  std::int64_t load = 0;
  for (std::int64_t n : r.load) load += n;
  BOOST_TEST(load == total);
}

BOOST_AUTO_TEST_CASE(skew_moves_tokens_to_expert_zero_and_grows_the_capacity) {
  const ModelConfig m = mixture(8, 2);
  const ExpertRouting uniform = route_experts(m, prefill(2, 64, 1, 0.0));
  const ExpertRouting hot = route_experts(m, prefill(2, 64, 1, 1.0));
  // Uniform: 128 tokens x 2 over 8 experts, 32 each on average; no expert gets them all.
  BOOST_TEST(uniform.imbalance() < 1.5);
  BOOST_TEST(uniform.capacity < 128);
  // Skew 1: every token's first choice is expert 0, which takes all 128 of every layer.
  BOOST_TEST(hot.load[0] == 3 * 128);
  BOOST_TEST(hot.capacity == 128);
  BOOST_TEST(hot.imbalance() > uniform.imbalance());
}

BOOST_AUTO_TEST_CASE(the_same_seed_draws_the_same_routing_and_another_does_not) {
  const ModelConfig m = mixture(8, 2);
  StepShape s = prefill(2, 32, 1, 0.2);
  const ExpertRouting a = route_experts(m, s), b = route_experts(m, s);
  BOOST_TEST(a.choices == b.choices);
  s.routing_seed = 2;
  BOOST_TEST(route_experts(m, s).choices != a.choices);
}

BOOST_AUTO_TEST_CASE(each_rank_and_slot_has_its_own_row_in_the_pe_of_its_chunk) {
  ExpertRouting r;
  r.experts = 8;
  r.ranks = 4;
  r.capacity = 6;
  MachineShape sip;
  sip.cubes_per_sip = 4;
  sip.pes_per_cube = 8;
  const ExpertBuffers b = expert_buffers(r, sip);
  BOOST_TEST(b.pes == 4);  // the largest power of two up to the capacity
  BOOST_TEST(b.slots == 2);
  BOOST_TEST(b.rows() == 4 * 4 * 2);
  std::set<std::int64_t> rows;
  for (std::int64_t rank = 0; rank < 4; ++rank) {
    for (std::int64_t slot = 0; slot < b.pes * b.slots; ++slot) {
      const std::int64_t row = b.row(rank, slot);
      rows.insert(row);
      // Row-split over the PEs, each PE's block is one chunk per rank in rank order.
      const std::int64_t pe = row / (b.ranks * b.slots), chunk = row % (b.ranks * b.slots);
      BOOST_TEST(pe == slot / b.slots);
      BOOST_TEST(chunk / b.slots == rank);
    }
  }
  BOOST_TEST(static_cast<std::int64_t>(rows.size()) == b.rows());
}

#include "runtime/workload/expert_routing.h"

#include <algorithm>
#include <numeric>
#include <random>

namespace kb::runtime {

const std::vector<std::int32_t>& ExpertRouting::of(std::int64_t layer, std::int64_t replica) const {
  static const std::vector<std::int32_t> kNone;
  const auto& replicas = choices.at(static_cast<std::size_t>(layer));
  return replicas.empty() ? kNone : replicas.at(static_cast<std::size_t>(replica));
}

double ExpertRouting::imbalance() const {
  double total = 0, busiest = 0;
  for (std::int64_t tokens : load) {
    total += static_cast<double>(tokens);
    busiest = std::max(busiest, static_cast<double>(tokens));
  }
  return total > 0 ? busiest * static_cast<double>(load.size()) / total : 1.0;
}

ExpertRouting route_experts(const ModelConfig& model, const StepShape& shape) {
  ExpertRouting r;
  if (!model.moe()) return r;
  r.experts = model.num_local_experts;
  r.per_token = model.num_experts_per_tok;
  r.ranks = shape.ep;
  r.load.assign(static_cast<std::size_t>(r.experts), 0);
  const StepShape unit = shape.microbatch();
  const std::int64_t replicas = shape.ep * shape.microbatches, tokens = unit.tokens();
  const double uniform = 1.0 / static_cast<double>(r.experts);
  const double hot = r.experts == 1 ? 1.0 : uniform + shape.routing_skew * (1.0 - uniform);
  const double rest = r.experts == 1 ? 0.0 : (1.0 - hot) / static_cast<double>(r.experts - 1);
  std::vector<double> weights;
  for (std::int64_t e = 0; e < r.experts; ++e) weights.push_back(e == 0 ? hot : rest);
  std::mt19937 rng(shape.routing_seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  r.choices.resize(static_cast<std::size_t>(shape.layers));
  for (std::int64_t l = 0; l < shape.layers; ++l) {
    if (!model.moe_layer(l)) continue;
    auto& layer = r.choices[static_cast<std::size_t>(l)];
    layer.resize(static_cast<std::size_t>(replicas));
    for (std::int64_t rep = 0; rep < replicas; ++rep) {
      std::vector<std::int32_t>& picks = layer[static_cast<std::size_t>(rep)];
      // count[e]: tokens this replica sends expert e in this layer.
      std::vector<std::int64_t> count(static_cast<std::size_t>(r.experts), 0);
      for (std::int64_t t = 0; t < tokens; ++t) {
        std::vector<double> left = weights;
        std::vector<bool> chosen(static_cast<std::size_t>(r.experts), false);
        for (std::int64_t k = 0; k < r.per_token; ++k) {
          // Without replacement: the experts not yet chosen, in proportion to their weights;
          // once only weightless ones are left (skew 1), the first of them.
          const double total = std::accumulate(left.begin(), left.end(), 0.0);
          double at = u(rng) * total;
          std::int32_t e = -1;
          for (std::int32_t i = 0; i < static_cast<std::int32_t>(r.experts); ++i) {
            const auto at_i = static_cast<std::size_t>(i);
            if (chosen[at_i] || (total > 0 && left[at_i] <= 0)) continue;
            e = i;
            if (total <= 0 || at < left[at_i]) break;
            at -= left[at_i];
          }
          chosen[static_cast<std::size_t>(e)] = true;
          left[static_cast<std::size_t>(e)] = 0;
          picks.push_back(e);
          ++count[static_cast<std::size_t>(e)];
          ++r.load[static_cast<std::size_t>(e)];
        }
      }
      for (std::int64_t c : count) r.capacity = std::max(r.capacity, c);
    }
  }
  return r;
}

DPPolicy ExpertBuffers::policy(const MachineShape& machine) const {
  return spread_over_sip(Split::row_wise, pes, machine);
}

ExpertBuffers expert_buffers(const ExpertRouting& routing, const MachineShape& machine) {
  ExpertBuffers b;
  b.ranks = routing.ranks;
  const std::int64_t capacity = std::max<std::int64_t>(1, routing.capacity);
  const std::int64_t most = std::min(capacity, machine.cubes_per_sip * machine.pes_per_cube);
  // The largest power of two up to that which the SIP's cubes and PEs take evenly.
  for (std::int64_t pes = std::int64_t{1}
                          << (63 - __builtin_clzll(static_cast<unsigned long long>(most)));
       pes >= 1; pes /= 2) {
    b.pes = pes;
    const Placement p = resolve_placement(spread_over_sip(Split::row_wise, pes, machine), {pes, 1},
                                          DType::f32, machine);
    if (static_cast<std::int64_t>(p.blocks) == pes) break;
  }
  b.slots = (capacity + b.pes - 1) / b.pes;
  return b;
}

}  // namespace kb::runtime

#include "runtime/serving/step_cache.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace kb::runtime::serving {

std::vector<WeightedKey> step_keys(const Batch& batch, const Padding& padding) {
  std::vector<WeightedKey> keys;
  const auto mean = [](std::int64_t sum, std::size_t n) {
    return static_cast<std::int64_t>(
        std::llround(static_cast<double>(sum) / static_cast<double>(n)));
  };
  const auto decodes = static_cast<std::int64_t>(batch.decodes.size());
  if (!batch.prefills.empty()) {
    std::int64_t past = 0;
    for (const PrefillPart& p : batch.prefills) past += p.past;
    const auto n = static_cast<std::int64_t>(batch.prefills.size());
    std::int64_t seq =
        std::max<std::int64_t>(1, mean(batch.prefill_tokens() + decodes, batch.prefills.size()));
    if (padding.pes > 0) {
      const std::int64_t multiple = padding.pes / std::gcd(n, padding.pes);
      seq = (seq + multiple - 1) / multiple * multiple;
    }
    keys.push_back({{Phase::prefill, n, seq, mean(past, batch.prefills.size())}, 1});
  }
  if (decodes > 0) {
    std::int64_t n = decodes;
    if (padding.decodes) {
      n = 1;
      while (n < decodes) n *= 2;
    }
    const StepKey decode{
        Phase::decode, n,
        std::max<std::int64_t>(1, mean(batch.decode_context, batch.decodes.size())), 0};
    keys.push_back({decode, 1});
    if (!batch.prefills.empty()) keys.push_back({{Phase::decode, n, 1, 0}, -1});
  }
  return keys;
}

StepCache::StepCache(Simulate simulate, int points_per_octave, Padding padding)
    : simulate_(std::move(simulate)), points_per_octave_(points_per_octave), padding_(padding) {
  if (points_per_octave < 0 || points_per_octave > 64) {
    throw std::invalid_argument("step grid: 0 to 64 points per octave");
  }
}

std::pair<std::int64_t, std::int64_t> StepCache::bracket(std::int64_t v) const {
  if (points_per_octave_ == 0 || v <= 2) return {v, v};
  // Grid points round(2^(j / k)), deduplicated: below 2^k / (2^(1/k) - 1)-ish they are
  // consecutive integers, so small values are exact.
  const double k = points_per_octave_;
  auto point = [&](std::int64_t j) {
    return static_cast<std::int64_t>(std::llround(std::exp2(static_cast<double>(j) / k)));
  };
  auto j = static_cast<std::int64_t>(std::floor(std::log2(static_cast<double>(v)) * k));
  while (point(j) > v) --j;
  while (point(j + 1) <= v) ++j;
  const std::int64_t lo = point(j);
  if (lo == v) return {v, v};
  std::int64_t hi = point(j + 1);
  while (hi <= lo) hi = point(++j + 1);
  return {lo, hi};
}

namespace {
// into += w v, element by element (into grows to v's size).
void add_scaled(std::vector<double>& into, const std::vector<double>& v, double w) {
  if (into.size() < v.size()) into.resize(v.size(), 0.0);
  for (std::size_t i = 0; i < v.size(); ++i) into[i] += w * v[i];
}

// a + f (b - a), in time and in energy.
StepCost between(const StepCost& a, const StepCost& b, double f) {
  StepCost c = a;
  c.ns += f * (b.ns - a.ns);
  add_scaled(c.pj, b.pj, f);
  add_scaled(c.pj, a.pj, -f);
  return c;
}
}  // namespace

const StepCost& StepCache::simulated(const StepKey& key) {
  auto it = costs_.find(key);
  if (it == costs_.end()) it = costs_.emplace(key, simulate_(key)).first;
  return it->second;
}

StepCost StepCache::interpolated(const StepKey& key) {
  // The context: a decode's cached tokens, a chunk's past.
  const std::int64_t context = key.phase == Phase::decode ? key.seq : key.past;
  const auto [lo, hi] = bracket(context);
  const auto at = [&](std::int64_t c) {
    StepKey k = key;
    (key.phase == Phase::decode ? k.seq : k.past) = c;
    return simulated(k);
  };
  const StepCost low = at(lo);
  if (lo == hi) return low;
  between_.insert(key);
  // Simulated in this order, lower first: a step's time depends a little on the machine's
  // history (where earlier steps left its allocators), so the order is part of the result.
  const StepCost high = at(hi);
  return between(low, high, static_cast<double>(context - lo) / static_cast<double>(hi - lo));
}

StepCost StepCache::cost(const StepKey& key) {
  ++lookups_;
  const std::int64_t before = simulated();
  StepCost c = interpolated(key);
  if (simulated() == before) ++hits_;
  return c;
}

std::vector<StepCache::Check> StepCache::check(std::int64_t samples) {
  std::vector<Check> out;
  if (samples <= 0 || between_.empty()) return out;
  const std::vector<StepKey> keys(between_.begin(), between_.end());
  const auto n = static_cast<std::int64_t>(keys.size());
  const std::int64_t take = std::min(samples, n);
  for (std::int64_t i = 0; i < take; ++i) {
    const StepKey& key = keys[static_cast<std::size_t>(i * n / take)];
    out.push_back({key, interpolated(key).ns, simulate_(key).ns});
  }
  return out;
}

double StepCache::time_ns(const Batch& batch) {
  asked_tokens_ +=
      static_cast<double>(batch.prefill_tokens() + static_cast<std::int64_t>(batch.decodes.size()));
  const std::vector<WeightedKey> keys = step_keys(batch, padding_);
  const StepCost first = cost(keys.front().key);
  StepCost sum = first;
  for (std::size_t k = 1; k < keys.size(); ++k) {
    const StepCost c = cost(keys[k].key);
    sum.ns += keys[k].weight * c.ns;
    add_scaled(sum.pj, c.pj, keys[k].weight);
  }
  // The decodes' attention adds to a chunk's step, never takes from it (a longer context
  // simulating a hair faster than context 1 would).
  if (sum.ns < first.ns) sum = first;
  add_scaled(dynamic_pj_, sum.pj, 1);
  // The tokens run: the prefill step's rows, or the decode step's when there is none.
  const StepKey& run = keys.front().key;
  padded_tokens_ += static_cast<double>(run.batch * (run.phase == Phase::decode ? 1 : run.seq));
  return sum.ns;
}

}  // namespace kb::runtime::serving

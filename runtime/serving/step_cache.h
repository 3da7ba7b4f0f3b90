#pragma once
// The serving run's step times (docs/serving.md, "The step cache"): a batch's time comes
// from simulated steps, each simulated once. A step's context (a decode's cached tokens, a
// prompt chunk's past) lies on a grid with `points_per_octave` > 0 (every power of two and
// `points_per_octave` - 1 points between, geometrically), and a context between grid points
// gets the linear interpolation of its neighbours' simulated times; with 0 every distinct
// shape is simulated. The batch and a prefill's tokens are never interpolated: the machine's
// time is not smooth in them (rows that do not divide over the PEs take fewer PEs).

#include "runtime/serving/sequence.h"
#include "runtime/workload/step_shape.h"

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <tuple>

namespace kb::runtime::serving {

// A uniform step: `batch` sequences, each `seq` new tokens after `past` cached ones
// (prefill), or one new token after `seq` cached ones (decode).
struct StepKey {
  Phase phase = Phase::decode;
  std::int64_t batch = 1, seq = 1, past = 0;
  bool operator<(const StepKey& o) const {
    return std::tie(phase, batch, seq, past) < std::tie(o.phase, o.batch, o.seq, o.past);
  }
};

// How a batch is padded before it runs, as engines for static-shape accelerators pad to
// the shapes they compiled: decode batches to the next power of two, each prompt chunk's
// tokens so that the step's tokens divide over `pes` (a SIP's PEs); pes = 0: no padding.
struct Padding {
  bool decodes = false;
  std::int64_t pes = 0;
};

// The uniform steps a batch is timed as, each with its sign: prompt chunks alone, one
// prefill step of their mean length and mean past; decodes alone, one decode step at their
// mean context (the same tokens and KV bytes); both (a chunked-prefill iteration), the
// prefill step of all its tokens (the decodes' rows ride through the projections and the
// MLP with the chunk's) plus what attending over their caches adds to a decode step: the
// decode step at their context less the same at context 1. docs/serving.md says what this
// leaves out. Padded as `padding` says.
struct WeightedKey {
  StepKey key;
  double weight = 1;
};
std::vector<WeightedKey> step_keys(const Batch& batch, const Padding& padding);

// What a step costs: its time, and the dynamic energy each of the machine's energy accounts
// gained in it (picojoules, in the accounts' registry order; empty when not measured).
struct StepCost {
  double ns = 0;
  std::vector<double> pj;
};

class StepCache {
 public:
  using Simulate = std::function<StepCost(const StepKey&)>;
  StepCache(Simulate simulate, int points_per_octave, Padding padding);

  double time_ns(const StepKey& key) { return cost(key).ns; }
  // The sum over its step_keys; adds its energy to dynamic_pj().
  double time_ns(const Batch& batch);
  StepCost cost(const StepKey& key);
  // The dynamic energy of every batch timed so far, per account.
  const std::vector<double>& dynamic_pj() const { return dynamic_pj_; }

  std::int64_t lookups() const { return lookups_; }
  std::int64_t hits() const { return hits_; }  // lookups that simulated nothing
  std::int64_t simulated() const { return static_cast<std::int64_t>(costs_.size()); }
  // Tokens the steps ran (decodes count one each) over the tokens the batches asked for.
  double padding_overhead() const {
    return asked_tokens_ > 0 ? padded_tokens_ / asked_tokens_ - 1 : 0;
  }
  const std::map<StepKey, StepCost>& costs() const { return costs_; }

  // The interpolation's error, measured: up to `samples` of the shapes looked up that fell
  // between grid points (spread evenly over them, in key order) simulated as they are, and
  // compared with what the grid gave.
  struct Check {
    StepKey key;
    double interpolated_ns = 0, simulated_ns = 0;
    double error() const { return interpolated_ns / simulated_ns - 1; }
  };
  std::vector<Check> check(std::int64_t samples);

  // The grid points around v (equal when v is one).
  std::pair<std::int64_t, std::int64_t> bracket(std::int64_t v) const;

 private:
  const StepCost& simulated(const StepKey& key);
  // The key's cost from the grid, without counting a lookup.
  StepCost interpolated(const StepKey& key);

  Simulate simulate_;
  int points_per_octave_;
  Padding padding_;
  double asked_tokens_ = 0, padded_tokens_ = 0;
  std::map<StepKey, StepCost> costs_;
  std::vector<double> dynamic_pj_;
  std::set<StepKey> between_;  // shapes looked up off the grid
  std::int64_t lookups_ = 0, hits_ = 0;
};

}  // namespace kb::runtime::serving

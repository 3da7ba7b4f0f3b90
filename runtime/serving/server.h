#pragma once
// A serving run (docs/serving.md): requests arrive over time, the scheduler forms each
// iteration's batch, and the iteration lasts what `StepTime` says that batch takes on the
// machine. Arrivals during an iteration join at the next one, as in a real server's loop.

#include "runtime/serving/scheduler.h"

#include <functional>
#include <vector>

namespace kb::runtime::serving {

// An iteration as it ran.
struct Iteration {
  double begin_s = 0, end_s = 0;
  std::int64_t sequences = 0, prefill_tokens = 0, decodes = 0;
  std::int64_t kv_blocks = 0;  // held while it ran
  std::int64_t in_flight = 0;  // arrived and not finished when it began
};

struct ServeResult {
  std::vector<Sequence> sequences;  // one per request, in arrival order
  std::vector<Iteration> iterations;
  std::vector<std::int64_t> refused;  // requests whose KV can never fit the pool
  std::int64_t preemptions = 0;
  // The integral of requests in flight (arrived, not finished) over time, taken at each
  // iteration's begin and each arrival: the left side of Little's law.
  double in_flight_seconds = 0;
};

class Server {
 public:
  using StepTime = std::function<double(const Batch&)>;  // seconds
  Server(Policy policy, SchedulerLimits limits, KvPool pool, StepTime step_time);
  // Serves `requests` (in arrival order) to the end. `progress` (optional) is told after
  // each iteration how many requests have finished.
  ServeResult run(const std::vector<Request>& requests,
                  const std::function<void(std::int64_t)>& progress = {});

  const KvPool& pool() const { return pool_; }

 private:
  void apply(const Batch& batch, double end_s, std::vector<Sequence*>& running);

  KvPool pool_;
  Scheduler scheduler_;
  StepTime step_time_;
};

}  // namespace kb::runtime::serving

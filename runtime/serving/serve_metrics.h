#pragma once
// What a serving run measured (docs/serving.md, "Metrics"): per request TTFT, TPOT,
// end-to-end latency and queueing delay, their percentiles, throughput, goodput under the
// SLOs, batch size and KV occupancy, and Little's law's two sides.

#include "runtime/serving/server.h"

#include <vector>

namespace kb::runtime::serving {

struct Distribution {
  std::int64_t count = 0;
  double mean = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;
};
// Percentiles interpolate between order statistics (numpy's default).
Distribution distribution(std::vector<double> values);

struct Slo {
  double ttft_s = 0;  // 0: no objective
  double tpot_s = 0;
};

// One finished request's figures, in seconds.
struct RequestLatency {
  double ttft = 0, tpot = 0, e2e = 0, queue = 0;
  bool has_tpot = false;  // more than one output token
  bool meets_slo = false;
};
RequestLatency latency(const Sequence& s, const Slo& slo);

struct ServeMetrics {
  std::int64_t requests = 0, completed = 0, refused = 0, preemptions = 0, iterations = 0;
  double span_s = 0;               // first arrival to last finish
  std::int64_t output_tokens = 0;  // of the completed requests
  Distribution ttft_s, tpot_s, e2e_s, queue_s;
  double output_tokens_per_s = 0, requests_per_s = 0, goodput_per_s = 0, slo_attainment = 0;
  double batch_mean = 0;  // sequences per iteration, weighted by its time
  std::int64_t batch_max = 0;
  double kv_occupancy_mean = 0, kv_occupancy_peak = 0;  // fractions of the pool, time-weighted
  double busy_fraction = 0;                             // of the span, iterations running
  // Little's law: the time-average of requests in flight, and throughput x mean latency.
  double in_flight_mean = 0, little_in_flight = 0;
};
ServeMetrics serve_metrics(const ServeResult& result, const KvPool& pool, const Slo& slo);

}  // namespace kb::runtime::serving

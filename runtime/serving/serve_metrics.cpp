#include "runtime/serving/serve_metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace kb::runtime::serving {

Distribution distribution(std::vector<double> values) {
  Distribution d;
  if (values.empty()) return d;
  std::sort(values.begin(), values.end());
  const auto n = static_cast<double>(values.size());
  const auto at = [&](double q) {
    const double rank = q * (n - 1);
    const auto lo = static_cast<std::size_t>(std::floor(rank));
    const std::size_t hi = std::min(lo + 1, values.size() - 1);
    return values[lo] + (rank - std::floor(rank)) * (values[hi] - values[lo]);
  };
  d.count = static_cast<std::int64_t>(values.size());
  d.mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  d.p50 = at(0.50);
  d.p90 = at(0.90);
  d.p99 = at(0.99);
  d.max = values.back();
  return d;
}

RequestLatency latency(const Sequence& s, const Slo& slo) {
  RequestLatency l;
  const Request& r = *s.request;
  l.ttft = s.first_token_s - r.arrival_s;
  l.e2e = s.finished_s - r.arrival_s;
  l.queue = s.admitted_s - r.arrival_s;
  l.has_tpot = r.output_tokens > 1;
  l.tpot =
      l.has_tpot ? (s.finished_s - s.first_token_s) / static_cast<double>(r.output_tokens - 1) : 0;
  l.meets_slo = (slo.ttft_s <= 0 || l.ttft <= slo.ttft_s) &&
                (slo.tpot_s <= 0 || !l.has_tpot || l.tpot <= slo.tpot_s);
  return l;
}

ServeMetrics serve_metrics(const ServeResult& result, const KvPool& pool, const Slo& slo) {
  ServeMetrics m;
  m.requests = static_cast<std::int64_t>(result.sequences.size());
  m.refused = static_cast<std::int64_t>(result.refused.size());
  m.preemptions = result.preemptions;
  m.iterations = static_cast<std::int64_t>(result.iterations.size());
  std::vector<double> ttft, tpot, e2e, queue;
  double first = INFINITY, last = 0, latency_sum = 0;
  std::int64_t good = 0;
  for (const Sequence& s : result.sequences) {
    if (s.finished_s < 0) continue;
    const RequestLatency l = latency(s, slo);
    ++m.completed;
    ttft.push_back(l.ttft);
    e2e.push_back(l.e2e);
    queue.push_back(l.queue);
    if (l.has_tpot) tpot.push_back(l.tpot);
    good += l.meets_slo ? 1 : 0;
    first = std::min(first, s.request->arrival_s);
    last = std::max(last, s.finished_s);
    m.output_tokens += s.request->output_tokens;
    latency_sum += l.e2e;
  }
  m.ttft_s = distribution(ttft);
  m.tpot_s = distribution(tpot);
  m.e2e_s = distribution(e2e);
  m.queue_s = distribution(queue);
  if (m.completed == 0) return m;
  m.span_s = last - first;
  if (m.span_s > 0) {
    m.output_tokens_per_s = static_cast<double>(m.output_tokens) / m.span_s;
    m.requests_per_s = static_cast<double>(m.completed) / m.span_s;
    m.goodput_per_s = static_cast<double>(good) / m.span_s;
    m.in_flight_mean = result.in_flight_seconds / m.span_s;
    m.little_in_flight = m.requests_per_s * latency_sum / static_cast<double>(m.completed);
  }
  m.slo_attainment = static_cast<double>(good) / static_cast<double>(m.completed);
  double busy = 0, batch = 0, kv = 0;
  for (const Iteration& it : result.iterations) {
    const double dt = it.end_s - it.begin_s;
    busy += dt;
    batch += dt * static_cast<double>(it.sequences);
    kv += dt * static_cast<double>(it.kv_blocks);
    m.batch_max = std::max(m.batch_max, it.sequences);
  }
  if (busy > 0) {
    m.batch_mean = batch / busy;
    if (pool.total() > 0) m.kv_occupancy_mean = kv / busy / static_cast<double>(pool.total());
  }
  if (pool.total() > 0) {
    m.kv_occupancy_peak = static_cast<double>(pool.peak()) / static_cast<double>(pool.total());
  }
  if (m.span_s > 0) m.busy_fraction = busy / m.span_s;
  return m;
}

}  // namespace kb::runtime::serving

// The serving run's parts without a machine (docs/serving.md): request traces and their
// mistakes, the synthetic source's statistics, the KV pool, the step grid's interpolation,
// and the server under each scheduler against step times given as formulas, so that what
// the metrics must be can be worked out here: Little's law, an idle server's latencies, a
// saturated one's throughput, preemption and refusal.
#define BOOST_TEST_MODULE serving
#include <boost/test/unit_test.hpp>

#include "runtime/serving/request_source.h"
#include "runtime/serving/serve_metrics.h"
#include "runtime/serving/server.h"
#include "runtime/serving/step_cache.h"

#include <cmath>
#include <fstream>
#include <numeric>
#include <string>

using namespace kb::runtime::serving;
using kb::runtime::Phase;

namespace {

std::string write(const std::string& name, const std::string& text) {
  std::ofstream(name) << text;
  return name;
}

// The message of the RequestTraceError reading `text` throws ("" if none).
std::string trace_error(const std::string& text) {
  try {
    read_request_trace(write("bad.csv", text));
  } catch (const RequestTraceError& e) {
    return e.what();
  }
  return "";
}

// Step times as formulas: a prefill of T tokens takes a + b T, a decode of n sequences
// c + d n (seconds).
struct Formula {
  double a = 2e-3, b = 1e-5, c = 5e-3, d = 2e-4;
  double prefill(double tokens) const { return a + b * tokens; }
  double decode(double n) const { return c + d * n; }
  double operator()(const Batch& batch) const {
    double t = 0;
    if (!batch.prefills.empty()) t += prefill(static_cast<double>(batch.prefill_tokens()));
    if (!batch.decodes.empty()) t += decode(static_cast<double>(batch.decodes.size()));
    return t;
  }
};

std::vector<Request> poisson(double rate, std::int64_t n, const std::string& prompt,
                             const std::string& output, std::uint64_t seed = 7) {
  SyntheticLoad load;
  load.rate = rate;
  load.requests = n;
  load.prompt = TokenCount::parse(prompt);
  load.output = TokenCount::parse(output);
  load.seed = seed;
  return synthetic_requests(load);
}

struct Served {
  ServeResult result;
  ServeMetrics metrics;
  std::int64_t pool_used_after = 0;
};

Served serve(Policy policy, const std::vector<Request>& requests, SchedulerLimits limits = {},
             std::int64_t blocks = 1 << 20, std::int64_t block = 16, Formula f = {}) {
  Server server(policy, limits, KvPool(blocks, block), f);
  Served s;
  s.result = server.run(requests);
  s.metrics = serve_metrics(s.result, server.pool(), {});
  s.pool_used_after = server.pool().used();
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(traces_read_in_either_format) {
  const auto own = read_request_trace(
      write("own.csv", "arrival_s,prompt_tokens,output_tokens\n0.5,100,10\n1.25,200,20\n"));
  BOOST_TEST(own.size() == 2U);
  BOOST_TEST(own[0].arrival_s == 0.0);  // from the first request's time
  BOOST_TEST(own[1].arrival_s == 0.75);
  BOOST_TEST(own[1].prompt_tokens == 200);
  BOOST_TEST(own[1].output_tokens == 20);
  BOOST_TEST(own[1].origin == "own.csv:3");
  const auto bare = read_request_trace(write("bare.csv", "0,7,3\n2,8,4\n3,9,5\n"), 2);
  BOOST_TEST(bare.size() == 2U);  // the limit
  BOOST_TEST(bare[1].prompt_tokens == 8);
  // The Azure trace's columns, names and timestamps as published.
  const auto azure = read_request_trace(
      write("azure.csv",
            "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,374,44\n"
            "2023-11-16 18:15:50.9951690,396,109\n2023-11-16 18:16:01.0000000,879,20\n"));
  BOOST_TEST(azure.size() == 3U);
  BOOST_TEST(azure[1].arrival_s == 4.314579, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(azure[2].arrival_s == 14.31941, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(azure[2].prompt_tokens == 879);
  // Columns in another order, picked by name.
  const auto swapped = read_request_trace(
      write("swapped.csv", "GeneratedTokens,extra,ContextTokens,TIMESTAMP\n5,x,50,10\n"));
  BOOST_TEST(swapped[0].prompt_tokens == 50);
  BOOST_TEST(swapped[0].output_tokens == 5);
}

BOOST_AUTO_TEST_CASE(bad_traces_name_the_file_line_and_fault) {
  BOOST_TEST(trace_error("arrival_s,prompt_tokens\n0,1\n")
                 .find("bad.csv:1: the header has no "
                       "column output_tokens") == 0U);
  BOOST_TEST(trace_error("0,10,5\n1,10\n").find("bad.csv:2: 2 columns") == 0U);
  BOOST_TEST(trace_error("0,10,5\n-1,10,5\n").find("bad.csv:2: arrival -1 is negative") == 0U);
  BOOST_TEST(trace_error("5,10,5\n4,10,5\n").find("bad.csv:2: arrival 4 is before") == 0U);
  BOOST_TEST(trace_error("0,0,5\n").find("bad.csv:1: prompt tokens '0'") == 0U);
  BOOST_TEST(trace_error("0,10,0\n").find("bad.csv:1: output tokens '0'") == 0U);
  BOOST_TEST(trace_error("0,1.5,3\n").find("bad.csv:1: prompt tokens '1.5'") == 0U);
  BOOST_TEST(trace_error("soon,10,5\n1,2,3\n").find("bad.csv:1: the header has no") == 0U);
  BOOST_TEST(trace_error("0,10,5\nsoon,10,5\n").find("bad.csv:2: arrival 'soon'") == 0U);
  BOOST_TEST(trace_error("a,b,c\n").find("header has no column arrival_s") != std::string::npos);
  BOOST_TEST(trace_error("\n").find("no requests") != std::string::npos);
  BOOST_CHECK_THROW(read_request_trace("no/such/file.csv"), RequestTraceError);
}

BOOST_AUTO_TEST_CASE(synthetic_arrivals_have_their_rate_and_spread) {
  const auto a = poisson(50, 20000, "uniform:10:20", "lognormal:100:0.5");
  const auto b = poisson(50, 20000, "uniform:10:20", "lognormal:100:0.5");
  BOOST_TEST(a.back().arrival_s == b.back().arrival_s);  // the seed decides
  BOOST_TEST(poisson(50, 100, "1", "1", 8).back().arrival_s !=
             poisson(50, 100, "1", "1").back().arrival_s);
  const double mean_gap = a.back().arrival_s / static_cast<double>(a.size() - 1);
  BOOST_TEST(mean_gap == 1.0 / 50, boost::test_tools::tolerance(0.03));
  std::vector<double> outputs;
  for (const Request& r : a) {
    BOOST_TEST((r.prompt_tokens >= 10 && r.prompt_tokens <= 20));
    outputs.push_back(static_cast<double>(r.output_tokens));
  }
  BOOST_TEST(distribution(outputs).p50 == 100.0, boost::test_tools::tolerance(0.03));
  // Gamma arrivals: the gaps' coefficient of variation is the one asked for.
  for (const double cv : {0.5, 2.0}) {
    SyntheticLoad load;
    load.rate = 10;
    load.requests = 40000;
    load.poisson = false;
    load.cv = cv;
    const auto g = synthetic_requests(load);
    double sum = 0, sq = 0;
    for (std::size_t i = 1; i < g.size(); ++i) {
      const double gap = g[i].arrival_s - g[i - 1].arrival_s;
      sum += gap;
      sq += gap * gap;
    }
    const double n = static_cast<double>(g.size() - 1), mean = sum / n;
    BOOST_TEST(mean == 0.1, boost::test_tools::tolerance(0.03));
    BOOST_TEST(std::sqrt(sq / n - mean * mean) / mean == cv, boost::test_tools::tolerance(0.05));
  }
  SyntheticLoad timed;
  timed.rate = 100;
  timed.duration_s = 2;
  const auto t = synthetic_requests(timed);
  BOOST_TEST(t.back().arrival_s <= 2.0);
  BOOST_TEST(static_cast<double>(t.size()) == 200.0, boost::test_tools::tolerance(0.2));
  BOOST_CHECK_THROW(TokenCount::parse("uniform:5"), std::invalid_argument);
  BOOST_CHECK_THROW(TokenCount::parse("0"), std::invalid_argument);
  BOOST_CHECK_THROW(TokenCount::parse("lognormal:100:-1"), std::invalid_argument);
  BOOST_CHECK_THROW(synthetic_requests(SyntheticLoad{}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(the_grid_interpolates_contexts_between_simulated_points) {
  std::int64_t calls = 0;
  // Linear in the context: interpolation is exact; the batch and a prefill's tokens are
  // simulated as they are.
  const auto f = [&](const StepKey& k) -> double {
    ++calls;
    return 1000.0 + 30.0 * static_cast<double>(k.batch) * static_cast<double>(k.batch) +
           2.0 * static_cast<double>(k.seq) + 0.5 * static_cast<double>(k.past) +
           0.01 * static_cast<double>(k.batch) * static_cast<double>(k.seq);
  };
  const auto cost = [&](const StepKey& k) { return StepCost{f(k), {f(k) / 10, 1.0}}; };
  StepCache grid(cost, 4, {});
  BOOST_TEST(grid.bracket(64).first == 64);
  BOOST_TEST(grid.bracket(64).second == 64);
  BOOST_TEST(grid.bracket(600).first == 512);
  BOOST_TEST(grid.bracket(600).second == 609);
  BOOST_TEST(grid.bracket(3).first == 3);  // small values are grid points
  for (const StepKey k :
       {StepKey{Phase::decode, 37, 1000, 0}, StepKey{Phase::prefill, 3, 700, 1300},
        StepKey{Phase::decode, 5, 5000, 0}}) {
    BOOST_TEST(grid.time_ns(k) == f(k), boost::test_tools::tolerance(1e-9));
  }
  BOOST_TEST(grid.simulated() == 6);  // two neighbours each
  BOOST_TEST(grid.costs().count(StepKey{Phase::prefill, 3, 700, 1218}) == 1U);
  grid.time_ns(StepKey{Phase::decode, 37, 1010, 0});  // the same neighbours
  BOOST_TEST(grid.simulated() == 6);
  BOOST_TEST(grid.hits() == 1);
  // Energies interpolate with the times.
  BOOST_TEST(grid.cost(StepKey{Phase::decode, 5, 5000, 0}).pj.front() ==
                 f(StepKey{Phase::decode, 5, 5000, 0}) / 10,
             boost::test_tools::tolerance(1e-9));
  // The check simulates shapes between grid points as they are.
  const auto checks = grid.check(10);
  BOOST_TEST(checks.size() == 4U);
  for (const auto& c : checks) BOOST_TEST(c.error() == 0.0, boost::test_tools::tolerance(1e-12));
  StepCache exact(cost, 0, {});
  exact.time_ns(StepKey{Phase::decode, 37, 1000, 0});
  exact.time_ns(StepKey{Phase::decode, 37, 1001, 0});
  BOOST_TEST(exact.simulated() == 2);
}

BOOST_AUTO_TEST_CASE(batches_are_padded_to_the_shapes_the_machine_runs_well) {
  std::vector<Sequence> seqs(5);
  Batch decodes;
  for (Sequence& s : seqs) decodes.decodes.push_back(&s);
  decodes.decode_context = 500;
  BOOST_TEST(step_keys(decodes, {true, 128}).size() == 1U);
  BOOST_TEST(step_keys(decodes, {true, 128}).front().key.batch == 8);
  BOOST_TEST(step_keys(decodes, {}).front().key.batch == 5);
  BOOST_TEST(step_keys(decodes, {true, 128}).front().key.seq == 100);
  Batch prompts;
  prompts.prefills = {{&seqs[0], 397, 0}, {&seqs[1], 403, 0}};
  const StepKey padded = step_keys(prompts, {true, 128}).front().key;
  BOOST_TEST(padded.batch == 2);
  BOOST_TEST(padded.seq == 448);  // 2 x 448 divides over 128 PEs
  BOOST_TEST(step_keys(prompts, {}).front().key.seq == 400);
  StepCache cache([](const StepKey&) { return StepCost{1.0, {}}; }, 4, {true, 128});
  cache.time_ns(prompts);
  BOOST_TEST(cache.padding_overhead() == 896.0 / 800 - 1, boost::test_tools::tolerance(1e-12));
  // A chunked-prefill iteration: the chunk's step over its tokens and the decodes', and the
  // decodes' attention as a decode step at their context less one at context 1.
  Batch mixed = decodes;
  mixed.prefills = {{&seqs[0], 120, 256}};
  const std::vector<WeightedKey> keys = step_keys(mixed, {});
  BOOST_TEST(keys.size() == 3U);
  BOOST_TEST((keys[0].key.phase == Phase::prefill && keys[0].key.seq == 125 &&
              keys[0].key.past == 256 && keys[0].weight == 1));
  BOOST_TEST((keys[1].key.phase == Phase::decode && keys[1].key.seq == 100 && keys[1].weight == 1));
  BOOST_TEST((keys[2].key.phase == Phase::decode && keys[2].key.seq == 1 && keys[2].weight == -1));
  const auto linear = [](const StepKey& k) {
    return 10.0 * static_cast<double>(k.batch * (k.phase == Phase::decode ? 1 : k.seq)) +
           (k.phase == Phase::decode ? 0.5 * static_cast<double>(k.batch * k.seq) : 0.0);
  };
  StepCache sum([&](const StepKey& k) { return StepCost{linear(k), {2 * linear(k)}}; }, 0, {});
  // 125 tokens' rows, and 5 decodes' attention over 100 cached tokens less over 1; the
  // energy likewise.
  BOOST_TEST(sum.time_ns(mixed) == 1250.0 + 0.5 * 5 * 99, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(sum.dynamic_pj().front() == 2 * (1250.0 + 0.5 * 5 * 99),
             boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(littles_law_holds_under_every_scheduler) {
  const auto requests = poisson(40, 2000, "uniform:50:400", "uniform:5:60");
  for (const Policy p : {Policy::vllm, Policy::sarathi, Policy::static_batch}) {
    const Served s = serve(p, requests, {1024, 16, 256});
    BOOST_TEST(s.metrics.completed == 2000, to_string(p));
    BOOST_TEST(s.pool_used_after == 0, to_string(p));
    BOOST_TEST(s.metrics.in_flight_mean > 1.0, to_string(p));  // loaded, not idle
    BOOST_TEST(s.metrics.in_flight_mean == s.metrics.little_in_flight,
               boost::test_tools::tolerance(0.02));
    for (const Iteration& it : s.result.iterations) {
      BOOST_TEST(it.sequences <= 16);
      if (p == Policy::sarathi) BOOST_TEST(it.prefill_tokens + it.decodes <= 256);
    }
  }
}

BOOST_AUTO_TEST_CASE(an_idle_server_answers_in_one_step_each) {
  const Formula f;
  // One request every 10 s: none waits for another.
  auto requests = poisson(1, 50, "300", "40");
  for (Request& r : requests) r.arrival_s = 10.0 * static_cast<double>(r.id);
  for (const Policy p : {Policy::vllm, Policy::sarathi, Policy::static_batch}) {
    const Served s = serve(p, requests, {2048, 64, 512});
    BOOST_TEST(s.metrics.ttft_s.p50 == f.prefill(300), boost::test_tools::tolerance(1e-9));
    BOOST_TEST(s.metrics.tpot_s.max == f.decode(1), boost::test_tools::tolerance(1e-9));
    BOOST_TEST(s.metrics.queue_s.max == 0.0);
  }
}

BOOST_AUTO_TEST_CASE(a_saturated_server_delivers_its_full_batch) {
  Formula f;
  f.a = 1e-4;  // prefill cheap beside 2,000 decodes, so the batch is full nearly always
  f.b = 1e-7;
  const auto requests = poisson(1000, 400, "4", "2000");
  const Served s = serve(Policy::vllm, requests, {2048, 32, 512}, 1 << 20, 16, f);
  const double best = 32 / f.decode(32);
  BOOST_TEST(s.metrics.output_tokens_per_s == best, boost::test_tools::tolerance(0.02));
  BOOST_TEST(s.metrics.batch_max == 32);
}

BOOST_AUTO_TEST_CASE(a_short_pool_preempts_and_everyone_finishes) {
  const auto requests = poisson(200, 300, "uniform:100:300", "uniform:50:200");
  // 60 blocks of 16: about three sequences' worth.
  for (const Policy p : {Policy::vllm, Policy::sarathi}) {
    const Served s = serve(p, requests, {2048, 64, 512}, 60, 16);
    BOOST_TEST(s.metrics.completed == 300, to_string(p));
    BOOST_TEST(s.metrics.preemptions > 0, to_string(p));
    BOOST_TEST(s.pool_used_after == 0);
    for (const Iteration& it : s.result.iterations) BOOST_TEST(it.kv_blocks <= 60);
    for (const Sequence& q : s.result.sequences)
      BOOST_TEST(q.generated == q.request->output_tokens);
  }
  // Batch and wait reserves whole outputs: it never preempts.
  const Served st = serve(Policy::static_batch, requests, {2048, 64, 512}, 60, 16);
  BOOST_TEST(st.metrics.preemptions == 0);
  BOOST_TEST(st.metrics.completed == 300);
}

BOOST_AUTO_TEST_CASE(a_request_that_can_never_fit_is_refused_alone) {
  std::vector<Request> requests = poisson(1, 3, "100", "10");
  requests[1].prompt_tokens = 5000;  // 313 blocks of 16, the pool holds 100
  const Served s = serve(Policy::vllm, requests, {}, 100, 16);
  BOOST_TEST(s.result.refused.size() == 1U);
  BOOST_TEST(s.result.refused.front() == 1);
  BOOST_TEST(s.metrics.completed == 2);
  BOOST_TEST(s.metrics.refused == 1);
}

BOOST_AUTO_TEST_CASE(batch_and_wait_admits_only_between_batches) {
  const auto requests = poisson(500, 200, "64", "uniform:5:50");
  const Served s = serve(Policy::static_batch, requests, {4096, 8, 512});
  // Within a batch the sequences only leave: no iteration grows but one that prefills.
  for (std::size_t i = 1; i < s.result.iterations.size(); ++i) {
    const Iteration& it = s.result.iterations[i];
    if (it.prefill_tokens == 0)
      BOOST_TEST(it.sequences <= s.result.iterations[i - 1].sequences);
    else
      BOOST_TEST(it.decodes == 0);
  }
  // vLLM's continuous batching beats it on the same load.
  const Served v = serve(Policy::vllm, requests, {4096, 8, 512});
  BOOST_TEST(v.metrics.e2e_s.mean < s.metrics.e2e_s.mean);
}

BOOST_AUTO_TEST_CASE(percentiles_interpolate_between_ranks) {
  std::vector<double> v(101);
  std::iota(v.begin(), v.end(), 0.0);
  const Distribution d = distribution(v);
  BOOST_TEST(d.p50 == 50.0);
  BOOST_TEST(d.p99 == 99.0);
  BOOST_TEST(d.max == 100.0);
  BOOST_TEST(distribution({1.0, 2.0}).p50 == 1.5);
}

// An all-reduce over every PE of two SIPs, one host thread per SIP (docs/collectives.md).
#include "platform/simulation.h"
#include "platform/topology/loader.h"
#include "runtime/host/distributed.h"
#include "runtime/host/host_program.h"

#include <cstdio>
#include <string>

using namespace kb::runtime;

// --traces: every request the ranks waited on, a JSON line each (the original's trace dicts).
int sc_main(int argc, char** argv) {
  kb::platform::Simulation sim(kb::platform::load_default_topology({"system.sips.count=2"}));
  const std::uint32_t sips = 2;
  const std::int64_t cubes = 16, pes = 8, count = 1024;
  std::unique_ptr<Distributed> dist;  // one for the rank threads, which share one context
  std::vector<std::vector<float>> sums(sips);
  std::vector<TraceEntry> traces;  // the last rank to return sees every request
  spawn_ranks(sim, sips, [&](RuntimeContext& ctx, std::uint32_t rank) {
    if (!dist) dist = std::make_unique<Distributed>(ctx);
    ctx.ahbm.set_device(rank);         // this host thread works on SIP `rank`
    dist->init_process_group("ring");  // the first caller installs, the others wait
    // One row per rank on this SIP: rows split over cubes and PEs.
    const DPPolicy dp{Split::replicate, Split::row_wise, Split::row_wise};
    Tensor t = ctx.empty({cubes * pes, count}, DType::f32, dp);
    const std::vector<float> ones(cubes * pes * count, 1.0f + static_cast<float>(rank));
    ctx.copy_(t, HostTensor::from(ones, {cubes * pes, count}));
    dist->all_reduce(t, ReduceOp::sum);  // also all_gather, reduce_scatter, broadcast, barrier
    sums[rank] = ctx.to_host(t).values<float>();
    traces = ctx.traces();
  });
  sim.run();  // throws kb::models::SimulationError on a fault or a deadlock
  // SIP 0's 128 ranks hold 1, SIP 1's hold 2: every element sums to 384.
  for (const std::vector<float>& s : sums) {
    for (float v : s) {
      if (v != 384.0f) return 1;
    }
  }
  std::printf("all_reduce over %u ranks: every element is %.0f\n", dist->world_size(), sums[0][0]);
  if (argc > 1 && std::string(argv[1]) == "--traces") {
    for (const TraceEntry& e : traces) std::printf("%s\n", trace_json(e).dump().c_str());
  }
  return 0;
}

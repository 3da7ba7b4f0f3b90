// A block sent from a PE of SIP 0 to a PE of SIP 1 over IPCQs installed by hand: the
// original's install_ipcq, then a send and a receive kernel, each submitted before either is
// waited on (docs/python.md: the Python port is docs/examples/python/ipcq_exchange.py).
#include "platform/simulation.h"
#include "platform/topology/loader.h"
#include "runtime/host/host_program.h"

#include <cstdio>
#include <string>

using namespace kb::runtime;

// --traces: every request waited on, a JSON line each (the original's trace dicts).
int sc_main(int argc, char** argv) {
  kb::platform::Simulation sim(kb::platform::load_default_topology({"system.sips.count=2"}));
  const std::int64_t rows = 64, cols = 256;
  std::vector<float> sent(rows * cols), got;
  for (std::size_t i = 0; i < sent.size(); ++i) sent[i] = static_cast<float>(i % 1000) / 8;
  std::vector<TraceEntry> traces;
  kb::runtime::spawn_host_thread(
      [&] {
        RuntimeContext machine(sim), sip0(sim, Device::only(0)), sip1(sim, Device::only(1));
        // Rank 0: PE 0 of cube 0 of SIP 0; rank 1: the same PE of SIP 1.
        const std::vector<PeCoord> ranks{{0, 0, 0}, {1, 0, 0}};
        machine.install_ipcq("ring", "", std::nullopt, &ranks);
        // One PE's block each: the first cube and PE of the context's SIP.
        const DPPolicy one_pe{Split::replicate, Split::replicate, Split::replicate, {}, 1, 1};
        Tensor src = sip0.empty({rows, cols}, DType::f32, one_pe, "src");
        sip0.copy_(src, HostTensor::from(sent, {rows, cols}));
        Tensor dst = sip1.zeros({rows, cols}, DType::f32, one_pe, "dst");
        const std::vector<Handle> send = sip0.launch("send_block", {src, 1}, Launch::deferred());
        const std::vector<Handle> recv = sip1.launch("recv_block", {dst, 0}, Launch::deferred());
        for (const Handle& h : send) sip0.wait(h);
        for (const Handle& h : recv) sip1.wait(h);
        got = sip1.to_host(dst).values<float>();
        for (const RuntimeContext* ctx : {&machine, &sip0, &sip1}) {
          traces.insert(traces.end(), ctx->traces().begin(), ctx->traces().end());
        }
      },
      "host");
  sim.run();  // throws kb::models::SimulationError on a fault or a deadlock
  if (got != sent) return 1;
  std::printf("%zu values sent from sip0 to sip1 over the IPCQ\n", got.size());
  if (argc > 1 && std::string(argv[1]) == "--traces") {
    for (const TraceEntry& e : traces) std::printf("%s\n", trace_json(e).dump().c_str());
  }
  return 0;
}

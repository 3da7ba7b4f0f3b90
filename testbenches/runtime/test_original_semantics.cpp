// The runtime's behaviours pinned against the original runtime (docs/runtime.md,
// "Differences from the original"): traces, is_completed, correlation ids, unmap grouping
// and tensor lifetime.
#include "runtime/host/host_program.h"
#include "testbenches/harness/run_host.h"
#include "testbenches/harness/sim_test.h"

#include <boost/test/unit_test.hpp>

#include <map>

using namespace kb::runtime;
using kb::platform::Simulation;
using kb::test::run_host;

namespace {

DPPolicy policy(Split sip, Split cube, Split pe) { return DPPolicy{sip, cube, pe}; }

// Every request kind a bench makes, over `sips` SIPs: map + zero-fill, a copy in, launches
// waited and deferred, an IPCQ install, a read back, a free. Then every handle must have
// exactly one trace, recorded on its first wait.
void every_waited_handle_has_one_trace(std::int64_t sips) {
  run_host(kb::test::config("multi_sip.yaml", {fmt::format("system.sips.count={}", sips)}),
           [sips](RuntimeContext& ctx) {
             const auto rows = 16 * 8 * sips;  // one row per PE
             Tensor x = ctx.zeros({rows, 4}, DType::f32,
                                  policy(Split::row_wise, Split::row_wise, Split::row_wise), "x");
             ctx.copy_(x, HostTensor(std::vector<std::int64_t>{rows, 4}, DType::f32));
             auto noop = [](KernelContext&) {};
             const std::vector<Handle> waited = ctx.launch_and_wait("waited", noop, {x});
             BOOST_TEST(waited.size() == static_cast<std::size_t>(sips));
             const std::vector<Handle> deferred = ctx.launch_async("deferred", noop, {x});
             BOOST_TEST(deferred.size() == static_cast<std::size_t>(sips));
             ctx.install_ipcq("ring");
             for (const Handle& h : deferred) ctx.wait(h);  // after they finished, and twice
             for (const Handle& h : deferred) ctx.wait(h);
             ctx.to_host(x);
             ctx.free(x);
             ctx.wait_all();
             BOOST_TEST(ctx.traces().size() == ctx.handles().size());
             // Labels repeat (the original's "deploy_x_pe0" in every cube): compare as multisets.
             std::map<std::string, int> traced, submitted;
             for (const TraceEntry& t : ctx.traces()) ++traced[t.request_id];
             for (const Handle& h : ctx.handles()) ++submitted[h.request->message().label];
             BOOST_TEST(traced == submitted);
             std::map<std::string, int> phases;
             for (const TraceEntry& t : ctx.traces()) ++phases[t.phase];
             BOOST_TEST(phases["kernel"] == 2 * sips);  // one per SIP per launch
             BOOST_TEST(phases["ipcq_init"] == 16 * sips);
             BOOST_TEST(phases["mmu_unmap"] == sips);
           });
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_handle_has_one_trace_on_one_sip) {
  every_waited_handle_has_one_trace(1);
}
BOOST_AUTO_TEST_CASE(every_handle_has_one_trace_on_two_sips) {
  every_waited_handle_has_one_trace(2);
}
BOOST_AUTO_TEST_CASE(every_handle_has_one_trace_on_eight_sips) {
  every_waited_handle_has_one_trace(8);
}

BOOST_AUTO_TEST_CASE(is_completed_means_waited_and_is_finished_means_done) {
  run_host(kb::test::config("tiny.yaml"), [](RuntimeContext& ctx) {
    Tensor x =
        ctx.empty({4, 4}, DType::f32, policy(Split::replicate, Split::row_wise, Split::row_wise));
    const Handle h =
        ctx.launch_async("spin", [](KernelContext& k) { k.pe().compute(1000); }, {x})[0];
    BOOST_TEST(!ctx.is_finished(h));
    BOOST_TEST(!ctx.is_completed(h));
    sc_core::wait(100, sc_core::SC_US);  // long after the kernel ended
    BOOST_TEST(ctx.is_finished(h));
    BOOST_TEST(!ctx.is_completed(h));  // as the original: not until the context waited
    const std::size_t traces = ctx.traces().size();
    ctx.wait(h);
    BOOST_TEST(ctx.is_completed(h));
    BOOST_TEST(ctx.traces().size() == traces + 1);
    BOOST_TEST(ctx.traces().back().finished_ns < 100'000.0);  // when it finished, not when waited
  });
}

BOOST_AUTO_TEST_CASE(every_message_and_trace_carries_the_contexts_correlation_id) {
  Simulation sim(kb::test::config("tiny.yaml"));
  run_host(sim, [&](RuntimeContext& ctx) {
    BOOST_TEST(ctx.correlation_id().rfind("ctx", 0) == 0u);
    RuntimeContext named(sim, Device::all(), "bench42");
    Tensor x = named.zeros({4, 4}, DType::f32,
                           policy(Split::replicate, Split::row_wise, Split::row_wise), "x");
    named.launch_and_wait("k", [](KernelContext&) {}, {x});
    named.free(x);
    BOOST_TEST_REQUIRE(!named.handles().empty());
    for (const Handle& h : named.handles()) {
      BOOST_TEST(h.request->message().correlation_id == "bench42");
    }
    for (const TraceEntry& t : named.traces()) {
      BOOST_TEST(t.correlation_id == "bench42");
      BOOST_TEST(!t.request_id.empty());
    }
    BOOST_TEST(named.traces().front().request_id == "mmu_x_s0");
  });
}

BOOST_AUTO_TEST_CASE(unmaps_go_to_every_sip_at_once_or_per_cube_in_turn) {
  run_host(kb::test::config("multi_sip.yaml", {"system.sips.count=2"}), [](RuntimeContext& ctx) {
    auto unmaps = [&](const std::string& name) {
      std::vector<TraceEntry> out;
      for (const TraceEntry& t : ctx.traces()) {
        if (t.phase == "mmu_unmap" && t.name == name) out.push_back(t);
      }
      return out;
    };
    Tensor spread = ctx.empty({2 * 16 * 8, 4}, DType::f32,
                              policy(Split::row_wise, Split::row_wise, Split::row_wise), "spread");
    ctx.free(spread);
    const auto s = unmaps("spread");
    BOOST_TEST_REQUIRE(s.size() == 2u);
    BOOST_TEST(s[0].request_id == "unmap_spread_s0");
    BOOST_TEST(s[1].request_id == "unmap_spread_s1");
    BOOST_TEST(s[1].submitted_ns == s[0].submitted_ns);  // both out before either is waited
    // Cube-replicated on SIP 0's first two cubes: one unmap per (sip, cube), in turn.
    Tensor local =
        ctx.empty({8, 4}, DType::f32,
                  DPPolicy{Split::replicate, Split::replicate, Split::row_wise, 1, 2}, "local");
    ctx.free(local);
    const auto l = unmaps("local");
    BOOST_TEST_REQUIRE(l.size() == 2u);
    BOOST_TEST(l[0].request_id == "unmap_local_s0c0");
    BOOST_TEST(l[1].request_id == "unmap_local_s0c1");
    BOOST_TEST(l[1].submitted_ns >= l[0].finished_ns);
  });
}

BOOST_AUTO_TEST_CASE(close_frees_every_tensor_and_the_context_stays_usable) {
  Simulation sim(kb::test::config("tiny.yaml"));
  run_host(sim, [&](RuntimeContext& ctx) {
    const DPPolicy dp = policy(Split::replicate, Split::row_wise, Split::row_wise);
    Tensor a = ctx.zeros({4, 4}, DType::f32, dp, "a");
    Tensor b = ctx.zeros({4, 4}, DType::f32, dp, "b");
    ctx.free(b);
    BOOST_TEST(ctx.live_tensors() == 1u);
    ctx.close();
    BOOST_TEST(!a.valid());
    BOOST_TEST(ctx.live_tensors() == 0u);
    BOOST_TEST(sim.system().pe(0, 0, 0).mmu.mappings() == 0u);
    Tensor c = ctx.zeros({4, 4}, DType::f32, dp, "c");  // as the original's cleanup()
    BOOST_TEST(c.valid());
    BOOST_TEST(ctx.live_tensors() == 1u);
    ctx.close();
    ctx.close();  // nothing left: nothing sent
    BOOST_TEST(ctx.live_tensors() == 0u);
  });
}

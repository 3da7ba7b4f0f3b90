// The runtime's behaviours pinned against the original runtime (docs/runtime.md,
// "Differences from the original"): traces, is_completed, correlation ids, unmap grouping,
// tensor lifetime, thread bindings and what handles keep.
#include "runtime/host/host_program.h"
#include "testbenches/harness/run_host.h"
#include "testbenches/harness/sim_test.h"

#include <boost/test/unit_test.hpp>

#include <map>

using namespace kb::runtime;
using kb::platform::Simulation;
using kb::test::failure_of;
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
             const std::vector<Handle> waited = ctx.launch("waited", noop, {x});
             BOOST_TEST(waited.size() == static_cast<std::size_t>(sips));
             const std::vector<Handle> deferred =
                 ctx.launch("deferred", noop, {x}, Launch::deferred());
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
    const Handle h = ctx.launch(
        "spin", [](KernelContext& k) { k.pe().compute(1000); }, {x}, Launch::deferred())[0];
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
    named.launch("k", [](KernelContext&) {}, {x});
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

namespace {

std::vector<TraceEntry> traces_of(const RuntimeContext& ctx, const std::string& phase) {
  std::vector<TraceEntry> out;
  for (const TraceEntry& t : ctx.traces()) {
    if (t.phase == phase) out.push_back(t);
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_host_exception_while_a_kernel_runs_is_the_reported_error) {
  const std::string failure = failure_of(kb::test::config("tiny.yaml"), [](RuntimeContext& ctx) {
    Tensor x = ctx.zeros({4, 4}, DType::f32,
                         policy(Split::replicate, Split::replicate, Split::replicate), "x");
    const std::uint64_t va = x.va_base();
    ctx.launch(
        "slow_reader",
        [va](KernelContext& k) {
          k.pe().compute(100'000);  // still running when the host gives up
          float v;
          k.pe().read(va, &v, sizeof v);
        },
        {x}, Launch::deferred());
    throw std::runtime_error("the host gave up");
  });
  BOOST_TEST(failure == "the host gave up");
}

BOOST_AUTO_TEST_CASE(sharing_a_tensor_twice_maps_it_once) {
  Simulation sim(kb::test::config("multi_sip.yaml", {"system.sips.count=2"}));
  run_host(sim, [&](RuntimeContext& ctx) {
    // On SIP 0 only; SIP 1 reaches it after share().
    Tensor x = ctx.zeros({16 * 8, 4}, DType::f32,
                         DPPolicy{Split::replicate, Split::row_wise, Split::row_wise, 1}, "x");
    ctx.share(x, 1);
    ctx.share(x, 1);
    std::size_t shares = 0;
    for (const TraceEntry& t : traces_of(ctx, "mmu_map")) shares += t.request_id == "share_x_s1";
    BOOST_TEST(shares == 1u);
    const std::uint64_t va = x.va_base();
    float seen = -1;
    ctx.launch(
        "remote_read", [&](KernelContext& k) { k.pe().read(va, &seen, sizeof seen); }, {},
        Launch::on_pes(PeScope::of({{1, 3, 5}})));
    BOOST_TEST(seen == 0.0f);
    ctx.free(x);
    BOOST_TEST(traces_of(ctx, "mmu_unmap").size() == 2u);  // SIP 1's share, SIP 0's shards
  });
  BOOST_TEST(sim.system().pe(1, 3, 5).mmu.mappings() == 0u);
}

BOOST_AUTO_TEST_CASE(a_thread_binding_belongs_to_the_thread_not_its_name) {
  run_host(kb::test::config("multi_sip.yaml", {"system.sips.count=2"}), [](RuntimeContext& ctx) {
    auto run_thread = [](std::function<void()> body) {
      sc_core::sc_process_handle h = sc_core::sc_spawn(std::move(body), "worker");
      const std::string name = h.name();
      sc_core::wait(h.terminated_event());
      return name;  // the handle goes here: SystemC may give the name to the next thread
    };
    const std::string first = run_thread([&] {
      ctx.ahbm.set_device(1);
      ctx.set_thread_rank(3);
    });
    ctx.ahbm.set_device(0);  // the host's own bindings: the ended worker's go
    ctx.set_thread_rank(0);
    std::optional<std::uint32_t> device = 7, rank = 7;
    const std::string second = run_thread([&] {
      device = ctx.ahbm.current_device();
      rank = ctx.thread_rank();
    });
    BOOST_TEST(second == first);  // SystemC reused the name
    BOOST_TEST(!device.has_value());
    BOOST_TEST(!rank.has_value());
  });
}

BOOST_AUTO_TEST_CASE(handles_keep_no_payload_once_it_is_consumed) {
  run_host(kb::test::config("tiny.yaml"), [](RuntimeContext& ctx) {
    const DPPolicy dp = policy(Split::replicate, Split::row_wise, Split::column_wise);
    Tensor x = ctx.empty({64, 64}, DType::f32, dp, "x");
    ctx.copy_(x, HostTensor::from(std::vector<float>(64 * 64, 2.5f), {64, 64}));
    const auto back = ctx.to_host(x).values<float>();
    BOOST_TEST(back == std::vector<float>(64 * 64, 2.5f));
    const std::size_t shards = x.shards().size();
    ctx.free(x);
    std::size_t writes = 0, reads = 0;
    for (const Handle& h : ctx.handles()) {
      if (const auto* w = std::get_if<kb::models::MemoryWrite>(&h.request->message().body)) {
        ++writes;
        BOOST_TEST(!w->data, h.request->message().label);
        BOOST_TEST(w->nbytes > 0u);  // the metadata stays
      }
      for (const kb::models::Completion& c : h.request->completions()) {
        reads += c.data_bytes > 0;
        BOOST_TEST(!c.data, h.request->message().label);
      }
    }
    BOOST_TEST(writes == shards);
    BOOST_TEST(reads == writes);  // one block per shard, no replicas
  });
}

BOOST_AUTO_TEST_CASE(a_trace_names_a_pe_only_when_the_request_targets_one) {
  run_host(kb::test::config("tiny.yaml"), [](RuntimeContext& ctx) {
    Tensor x = ctx.zeros({4, 4}, DType::f32,
                         policy(Split::replicate, Split::row_wise, Split::row_wise), "x");
    auto noop = [](KernelContext&) {};
    ctx.launch("every_pe", noop, {x});
    ctx.launch("one_pe", noop, {}, Launch::on_pes(PeScope::of({{0, 1, 1}})));
    std::map<std::string, std::optional<std::uint32_t>> pe;
    for (const TraceEntry& t : traces_of(ctx, "kernel")) pe[t.name] = t.pe;
    BOOST_TEST_REQUIRE(pe.size() == 2u);
    BOOST_TEST(!pe["every_pe"].has_value());
    BOOST_TEST(pe["one_pe"].value_or(99) == 1u);
    for (const TraceEntry& t : traces_of(ctx, "memory_write")) BOOST_TEST(t.pe.has_value());
  });
}

BOOST_AUTO_TEST_CASE(a_context_destroyed_outside_a_host_thread_frees_nothing) {
  Simulation sim(kb::test::config("tiny.yaml"));
  std::unique_ptr<RuntimeContext> kept;
  run_host(sim, [&](RuntimeContext&) {
    kept = std::make_unique<RuntimeContext>(sim);
    kept->zeros({4, 4}, DType::f32, policy(Split::replicate, Split::row_wise, Split::row_wise));
  });
  const std::size_t mapped = sim.system().pe(0, 0, 0).mmu.mappings();
  BOOST_TEST(mapped > 0u);
  const std::size_t handles = kept->handles().size();
  kept.reset();  // after the simulation: no message can be sent, none is
  BOOST_TEST(sim.system().pe(0, 0, 0).mmu.mappings() == mapped);
  BOOST_TEST(handles > 0u);
}

BOOST_AUTO_TEST_CASE(a_replicated_tensor_is_read_from_the_nearest_replica) {
  Simulation sim(kb::test::config("tiny.yaml"));
  run_host(sim, [&](RuntimeContext& ctx) {
    // A copy on every PE: each PE's MMU translates the one VA to the copy in its own slice.
    Tensor x = ctx.zeros({4, 4}, DType::f32,
                         policy(Split::replicate, Split::replicate, Split::replicate), "x");
    const MachineShape& m = ctx.machine();
    const auto slices =
        static_cast<std::uint32_t>(ctx.topology().cube.memory_map.hbm_slices_per_cube);
    for (std::uint32_t c = 0; c < m.cubes_per_sip; ++c) {
      for (std::uint32_t p = 0; p < m.pes_per_cube; ++p) {
        const auto pa = sim.system().pe(0, c, p).mmu.translate(x.va_base());
        BOOST_TEST_REQUIRE(pa.has_value());
        const auto at = kb::models::PhysAddr::decode(*pa);
        BOOST_TEST(at.cube == c);
        BOOST_TEST(at.unit == p % slices);
      }
    }
  });
}

BOOST_AUTO_TEST_CASE(a_scoped_context_places_tensors_and_ranks_on_its_own_sip_only) {
  Simulation sim(kb::test::config("multi_sip.yaml", {"system.sips.count=2"}));
  run_host(sim, [&](RuntimeContext&) {
    RuntimeContext second(sim, Device::only(1));
    // Its SIP-level split spans SIP 1 alone: every row lands there.
    Tensor t = second.empty({16 * 8, 4}, DType::f32,
                            policy(Split::row_wise, Split::row_wise, Split::row_wise), "t");
    BOOST_TEST(t.shards().size() == 16u * 8u);
    for (const DeviceShard& s : t.shards()) BOOST_TEST(s.sip == 1u);
    second.free(t);
    const IpcqPlan plan = second.install_ipcq("ring");
    BOOST_TEST(plan.world_size == 16u * 8u);  // every PE of SIP 1, none of SIP 0
    for (const PeCoord& pe : plan.rank_to_pe) BOOST_TEST(pe.sip == 1u);
    // Given rank_to_pe and no world size, the world is the PEs named.
    const std::vector<PeCoord> two{{1, 0, 0}, {1, 0, 1}};
    BOOST_TEST(second.install_ipcq("ring", "", std::nullopt, &two).world_size == 2u);
  });
}

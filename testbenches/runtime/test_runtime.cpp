// The host runtime end to end: tensors through the machine and back, mapping, traces,
// device scoping, launches and every error it reports.
#include "runtime/host/host_program.h"
#include "testbenches/harness/function_program.h"
#include "testbenches/harness/run_host.h"
#include "testbenches/harness/sim_test.h"

#include <boost/test/unit_test.hpp>

#include <random>
#include <set>

using namespace kb::runtime;
using kb::platform::Simulation;
using kb::test::failure_of;
using kb::test::run_host;

namespace {

constexpr Split kSplits[] = {Split::replicate, Split::row_wise, Split::column_wise};

DPPolicy policy(Split sip, Split cube, Split pe) { return DPPolicy{sip, cube, pe, {}, {}, {}}; }

// The seed's "dp=DPPolicy(...) is required for tensor creation" is a compile error here.
static_assert(!std::is_default_constructible_v<DPPolicy>);
static_assert(!std::is_invocable_v<decltype(&RuntimeContext::zeros), RuntimeContext&,
                                   std::vector<std::int64_t>, DType, std::nullopt_t, std::string>);
static_assert(std::is_invocable_v<decltype(&RuntimeContext::zeros), RuntimeContext&,
                                  std::vector<std::int64_t>, DType, DPPolicy, std::string>);

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

HostTensor random_host(const std::vector<std::int64_t>& shape, DType dtype, std::mt19937& rng) {
  HostTensor t(shape, dtype);
  for (auto& b : t.bytes()) b = static_cast<unsigned char>(rng());
  return t;
}

// Every dtype through all 27 placements: copy in, read back, compare bytes.
void check_round_trips(const kb::platform::Topology& topology) {
  int checked = 0;
  run_host(topology, [&](RuntimeContext& ctx) {
    std::mt19937 rng(7);
    const MachineShape& m = ctx.machine();
    for (Split s : kSplits)
      for (Split c : kSplits)
        for (Split p : kSplits) {
          std::int64_t row_factor = 1, col_factor = 1;
          for (auto [split, n] : {std::pair{s, m.sips}, std::pair{c, m.cubes_per_sip},
                                  std::pair{p, m.pes_per_cube}}) {
            if (split == Split::row_wise) row_factor *= n;
            if (split == Split::column_wise) col_factor *= n;
          }
          for (DType dtype : kAllDTypes) {
            const std::vector<std::int64_t> shape{2 * row_factor, 3 * col_factor};
            const HostTensor source = random_host(shape, dtype, rng);
            Tensor t = ctx.empty(shape, dtype, policy(s, c, p));
            ctx.copy_(t, source);
            const HostTensor back = ctx.to_host(t);
            BOOST_TEST((back.bytes() == source.bytes()), policy(s, c, p).to_string()
                                                             << " " << to_string(dtype));
            ctx.free(t);
            ++checked;
          }
        }
    BOOST_TEST(ctx.live_tensors() == 0u);
  });
  BOOST_TEST(checked == 27 * 9);
}

}  // namespace

BOOST_AUTO_TEST_CASE(round_trip_is_bit_exact_on_tiny) {
  check_round_trips(kb::test::config("tiny.yaml"));
}
BOOST_AUTO_TEST_CASE(round_trip_is_bit_exact_on_default) {
  check_round_trips(kb::test::config("topology.yaml"));
}
BOOST_AUTO_TEST_CASE(round_trip_is_bit_exact_on_multi_sip) {
  check_round_trips(kb::test::config("multi_sip.yaml"));
}

BOOST_AUTO_TEST_CASE(zeros_are_zero_and_one_d_tensors_work) {
  run_host(kb::test::config("tiny.yaml"), [](RuntimeContext& ctx) {
    std::mt19937 rng(3);
    // Dirty the memory first, so that zeros() has to clear it.
    Tensor dirty = ctx.empty({64}, DType::u8,
                             policy(Split::replicate, Split::column_wise, Split::column_wise));
    ctx.copy_(dirty, random_host({64}, DType::u8, rng));
    ctx.free(dirty);
    Tensor z = ctx.zeros({64}, DType::u8,
                         policy(Split::replicate, Split::column_wise, Split::column_wise));
    const auto values = ctx.to_host(z).values<std::uint8_t>();
    BOOST_TEST(std::all_of(values.begin(), values.end(), [](std::uint8_t v) { return v == 0; }));
    const auto data = std::vector<float>{1.5f, -2.0f, 3.25f, 4.0f};
    Tensor v =
        ctx.empty({4}, DType::f32, policy(Split::replicate, Split::replicate, Split::column_wise));
    ctx.copy_(v, HostTensor::from(data, {4}));
    BOOST_TEST(ctx.to_host(v).values<float>() == data);
  });
}

BOOST_AUTO_TEST_CASE(mapping_follows_the_seed_and_traces_match_requests) {
  Simulation sim(kb::test::config("tiny.yaml"));
  run_host(sim, [&](RuntimeContext& ctx) {
    // Cube-sharded: one MmuMap for the SIP, broadcast to both cubes; a write per shard.
    Tensor a = ctx.zeros({4, 8}, DType::f16,
                         policy(Split::replicate, Split::row_wise, Split::column_wise), "a");
    // Cube-replicated: one MmuMap per (sip, cube).
    Tensor b = ctx.empty({4, 8}, DType::f32,
                         policy(Split::replicate, Split::replicate, Split::row_wise), "b");
    const auto& traces = ctx.traces();
    BOOST_REQUIRE(traces.size() == 1u + 4u + 2u);
    BOOST_TEST(traces[0].phase == "mmu_map");
    BOOST_TEST(traces[0].name == "a");
    BOOST_TEST(!traces[0].cube.has_value());  // both cubes
    for (int i = 1; i <= 4; ++i) {
      BOOST_TEST(traces[i].phase == "memory_write");
      BOOST_TEST(traces[i].nbytes == 4u * 8u * 2u / 4u);
      BOOST_TEST(traces[i].submitted_ns <= traces[i].started_ns);
      BOOST_TEST(traces[i].started_ns < traces[i].finished_ns);
    }
    BOOST_TEST(*traces[1].cube == 0u);
    BOOST_TEST(*traces[1].pe == 0u);
    BOOST_TEST(*traces[4].cube == 1u);
    BOOST_TEST(*traces[4].pe == 1u);
    BOOST_TEST(traces[5].phase == "mmu_map");
    BOOST_TEST(*traces[5].cube == 0u);
    BOOST_TEST(*traces[6].cube == 1u);
    BOOST_TEST(ctx.handles().size() == 7u);
    for (const Handle& h : ctx.handles()) BOOST_TEST(ctx.is_completed(h));
    // Every PE of a holding cube maps the whole SIP's shards of a cube-sharded tensor;
    // a cube-replicated tensor maps each cube's own shards.
    for (std::uint32_t cube = 0; cube < 2; ++cube) {
      for (std::uint32_t pe = 0; pe < 2; ++pe) {
        const auto& mmu = sim.system().pe(0, cube, pe).mmu;
        for (const DeviceShard& s : a.shards()) {
          BOOST_TEST(mmu.translate(a.va_base() + s.offset_bytes).value() == s.pa.encode());
        }
        for (const DeviceShard& s : b.shards()) {
          const bool own_cube = s.cube == cube;
          const auto pa = mmu.translate(b.va_base() + s.offset_bytes);
          BOOST_REQUIRE(pa.has_value());
          if (own_cube) BOOST_TEST(*pa == s.pa.encode());  // its cube's replica of the block
        }
      }
    }
    const std::uint64_t va = a.va_base();
    ctx.free(a);
    BOOST_TEST(!sim.system().pe(0, 1, 1).mmu.translate(va).has_value());
    BOOST_TEST(ctx.traces().back().phase == "mmu_unmap");
  });
}

BOOST_AUTO_TEST_CASE(kernels_see_cube_local_views_and_scalars_in_order) {
  run_host(kb::test::config("topology.yaml"), [](RuntimeContext& ctx) {
    // 32 x 16 i32: rows split over the 16 cubes (2 rows each), columns over 8 PEs.
    const DPPolicy dp = policy(Split::replicate, Split::row_wise, Split::column_wise);
    std::vector<std::int32_t> data(32 * 16);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::int32_t>(i);
    Tensor t = ctx.empty({32, 16}, DType::i32, dp, "t");
    ctx.copy_(t, HostTensor::from(data, {32, 16}));
    ctx.launch(
        "scale_own_block",
        [](KernelContext& k) {
          const TensorView& v = k.tensor(0);
          BOOST_TEST(v.rows() == 2);
          BOOST_TEST(v.cols() == 16);
          BOOST_TEST(v.row0() == 2 * k.location().cube);
          BOOST_TEST(k.num_programs() == 8u);
          BOOST_TEST(k.program_id() == k.location().pe);
          BOOST_TEST(k.int_arg(1) == 3);
          BOOST_TEST(k.float_arg(2) == 0.5);
          const Block& own = v.own_block().value();
          BOOST_TEST(own.cols == 2);
          BOOST_TEST(own.col0 == 2 * k.location().pe);
          for (std::int64_t r = own.row0; r < own.row0 + own.rows; ++r) {
            std::int32_t row[2];
            const auto run = v.pieces(r, 0, 1, v.cols());
            BOOST_TEST(run.size() == 8u);  // one piece per PE block of the row
            BOOST_TEST(run[k.location().pe].address == v.address(r, own.col0));
            k.pe().read(v.address(r, own.col0), row, sizeof row);
            for (auto& x : row) x = static_cast<std::int32_t>(x * k.int_arg(1));
            k.pe().write(v.address(r, own.col0), row, sizeof row);
          }
          // Any element of the cube's view is reachable, also those of other PEs' blocks.
          std::int32_t corner = 0;
          k.pe().read(v.address(1, 15), &corner, sizeof corner);
          BOOST_TEST(
              (corner == (2 * static_cast<std::int32_t>(k.location().cube) + 1) * 16 + 15 ||
               corner == 3 * ((2 * static_cast<std::int32_t>(k.location().cube) + 1) * 16 + 15)));
        },
        {t, 3, 0.5});
    const auto back = ctx.to_host(t).values<std::int32_t>();
    for (std::size_t i = 0; i < data.size(); ++i) BOOST_TEST(back[i] == 3 * data[i]);
    BOOST_TEST(ctx.traces().back().phase == "memory_read");
  });
}

BOOST_AUTO_TEST_CASE(device_scoping_puts_a_tensor_on_its_ranks_sip) {
  Simulation sim(kb::test::config("multi_sip.yaml"));
  std::vector<std::uint32_t> seen(4, 99);
  spawn_ranks(sim, 4, [&](RuntimeContext& ctx, std::uint32_t rank) {
    if (rank % 2 == 0) {
      ctx.ahbm.set_device(rank);
    } else {
      ctx.accelerator.set_device_index(rank);
    }
    BOOST_TEST(ctx.ahbm.current_device().value() == rank);
    Tensor t =
        ctx.zeros({16, 8}, DType::f32, policy(Split::replicate, Split::row_wise, Split::replicate));
    std::set<std::uint32_t> sips;
    for (const DeviceShard& s : t.shards()) sips.insert(s.sip);
    BOOST_TEST(sips.size() == 1u);
    seen[rank] = *sips.begin();
    // An explicit SIP split or num_sips is not scoped.
    Tensor u = ctx.empty({8, 8}, DType::f32,
                         DPPolicy{Split::replicate, Split::replicate, Split::replicate, 2, 1, 1});
    BOOST_TEST(u.shards().size() == 2u);
  });
  sim.run();
  BOOST_TEST(seen == (std::vector<std::uint32_t>{0, 1, 2, 3}));
}

BOOST_AUTO_TEST_CASE(a_launch_submits_every_sip_first_and_returns_each_handle) {
  // A kernel on SIP 0 and one on SIP 1 exchange data through their IPCQs: they can only
  // finish if both were launched before the host waited for either.
  Simulation sim(kb::test::config("multi_sip.yaml", {"system.sips.count=2"}));
  run_host(sim, [&](RuntimeContext& ctx) {
    using kb::models::PhysAddr;
    const std::uint64_t a = PhysAddr::mmio(0, 0, 0).encode();
    const std::uint64_t b = PhysAddr::mmio(1, 0, 0).encode();
    ctx.wait(
        ctx.submit(kb::test::message(kb::models::IpcqInit{{{0, 0, {{1, b}}}}}, {0}), {{0, 0}}, {}));
    ctx.wait(
        ctx.submit(kb::test::message(kb::models::IpcqInit{{{0, 1, {{0, a}}}}}, {0}), {{1, 0}}, {}));
    Tensor t = ctx.zeros({2, 4}, DType::i32,
                         DPPolicy{Split::row_wise, Split::replicate, Split::replicate, {}, 1, 1});
    std::vector<std::int32_t> got(2, -1);
    const std::vector<Handle> launched =
        ctx.launch("exchange",
                   [&](KernelContext& k) {
                     const std::uint32_t me = k.location().sip;
                     const std::int32_t mine = 100 + static_cast<std::int32_t>(me);
                     std::int32_t theirs = 0;
                     k.pe().ipcq_send(1 - me, &mine, sizeof mine, {});
                     k.pe().ipcq_recv(1 - me, &theirs, sizeof theirs, 0);
                     got[me] = theirs;
                   },
                   {t});
    BOOST_TEST(got == (std::vector<std::int32_t>{101, 100}));
    BOOST_TEST(ctx.traces().back().phase == "kernel");
    BOOST_TEST_REQUIRE(launched.size() == 2u);
    for (std::uint32_t sip = 0; sip < 2; ++sip) {
      BOOST_TEST(launched[sip].meta.sip == sip);
      BOOST_TEST(ctx.is_completed(launched[sip]));
    }
  });
}

BOOST_AUTO_TEST_CASE(a_deferred_launch_returns_pending_handles) {
  run_host(kb::test::config("multi_sip.yaml"), [](RuntimeContext& ctx) {
    Tensor t =
        ctx.zeros({8, 8}, DType::f32, policy(Split::row_wise, Split::replicate, Split::replicate));
    auto pending = ctx.launch(
        "spin", [](KernelContext& k) { k.pe().compute(5000); }, {t}, Launch::deferred());
    BOOST_REQUIRE(pending.size() == 4u);
    for (std::size_t i = 0; i < 4; ++i) BOOST_TEST(pending[i].meta.sip == i);
    BOOST_TEST(!ctx.is_completed(pending[0]));
    ctx.wait_all();
    for (const Handle& h : pending) BOOST_TEST(ctx.is_completed(h));
  });
}

// Kernels launched at a busy PE wait their turn: each runs alone, in launch order.
BOOST_AUTO_TEST_CASE(a_pe_runs_the_kernels_launched_to_it_one_at_a_time_in_order) {
  run_host(kb::test::config("tiny.yaml"), [](RuntimeContext& ctx) {
    Tensor t =
        ctx.zeros({4, 4}, DType::f32, policy(Split::replicate, Split::row_wise, Split::row_wise));
    std::vector<std::string> order;
    auto kernel = [&](const std::string& name, std::uint64_t cycles) {
      return [&order, name, cycles](KernelContext& k) {
        if (k.location().cube == 0 && k.location().pe == 0) order.push_back(name);
        k.pe().compute(cycles);
      };
    };
    auto first = ctx.launch("first", kernel("first", 5000), {t}, Launch::deferred());
    auto second = ctx.launch("second", kernel("second", 100), {t}, Launch::deferred());
    auto third = ctx.launch("third", kernel("third", 100), {t}, Launch::deferred());
    ctx.wait_all();
    BOOST_TEST((order == std::vector<std::string>{"first", "second", "third"}));
    const auto span = [](const Handle& h, std::uint32_t cube, std::uint32_t pe) {
      for (const auto& c : h.request->completions())
        for (const auto& p : c.pes)
          if (c.cube == cube && p.pe == pe) return std::pair{p.started_ps, p.finished_ps};
      BOOST_FAIL("no timing for the PE");
      return std::pair<std::uint64_t, std::uint64_t>{};
    };
    for (std::uint32_t cube = 0; cube < 2; ++cube) {
      for (std::uint32_t pe = 0; pe < 2; ++pe) {
        BOOST_TEST(span(second[0], cube, pe).first >= span(first[0], cube, pe).second);
        BOOST_TEST(span(third[0], cube, pe).first >= span(second[0], cube, pe).second);
        BOOST_TEST(span(first[0], cube, pe).second - span(first[0], cube, pe).first >= 5000000u);
      }
    }
  });
}

BOOST_AUTO_TEST_CASE(an_access_to_a_freed_tensors_address_faults) {
  const std::string failure = failure_of(kb::test::config("tiny.yaml"), [](RuntimeContext& ctx) {
    Tensor t = ctx.zeros({4, 4}, DType::f32,
                         policy(Split::replicate, Split::replicate, Split::replicate), "gone");
    const std::uint64_t va = t.va_base();
    auto peek = [va](KernelContext& k) {
      float x;
      k.pe().read(va, &x, sizeof x);
    };
    // Made before the free, so that it cannot reuse the freed virtual range.
    Tensor other = ctx.empty(
        {1}, DType::f32, DPPolicy{Split::replicate, Split::replicate, Split::replicate, {}, 1, 1});
    ctx.launch("before_free", peek, {t});
    ctx.free(t);
    ctx.launch("after_free", peek, {other});
  });
  BOOST_TEST(contains(failure, "MMU fault"), failure);
  BOOST_TEST(contains(failure, "running 'after_free'"), failure);
}

BOOST_AUTO_TEST_CASE(usage_errors_are_clear) {
  run_host(kb::test::config("tiny.yaml"), [](RuntimeContext& ctx) {
    auto message_of = [](const std::function<void()>& f) {
      try {
        f();
      } catch (const std::exception& e) {
        return std::string(e.what());
      }
      return std::string();
    };
    Tensor t = ctx.empty({4, 4}, DType::f16,
                         policy(Split::replicate, Split::replicate, Split::row_wise), "x");
    BOOST_TEST(contains(message_of([&] {
                          ctx.copy_(t, HostTensor({4, 4}, DType::f32));
                        }),
                        "copy_ into 'x' (f16 (4, 4)) from a host tensor of f32 (4, 4)"));
    BOOST_TEST(contains(message_of([&] {
                          ctx.copy_(t, HostTensor({2, 8}, DType::f16));
                        }),
                        "(2, 8)"));
    ctx.free(t);
    BOOST_TEST(message_of([&] { ctx.to_host(t); }) == "use of tensor 'x' after it was freed");
    BOOST_TEST(message_of([&] { ctx.free(t); }) == "use of tensor 'x' after it was freed");
    BOOST_TEST(contains(message_of([&] { ctx.launch("k", [](KernelContext&) {}, {t}); }),
                        "after it was freed"));
    BOOST_TEST(contains(message_of([&] {
                          ctx.zeros({5, 4}, DType::f32,
                                    policy(Split::replicate, Split::row_wise, Split::replicate));
                        }),
                        "cannot split dimension 0 (rows) row_wise over 2 cubes"));
    PeMemoryAllocator& tcm = ctx.memory().pe({0, 0, 0});
    tcm.allocate_tcm(12ULL << 20);
    BOOST_TEST(contains(message_of([&] { tcm.allocate_tcm(64); }),
                        "TCM of sip0.cube0.pe0: out of memory"));
  });
}

BOOST_AUTO_TEST_CASE(out_of_hbm_stops_the_run_with_sizes) {
  const std::string failure = failure_of(kb::test::config("tiny.yaml"), [](RuntimeContext& ctx) {
    // 640 MiB per replica; each PE has a 512 MiB slice.
    ctx.empty({1024, 1024, 160}, DType::f32,
              policy(Split::replicate, Split::replicate, Split::replicate));
  });
  BOOST_TEST(contains(failure,
                      "HBM of sip0.cube0.pe0 (slice 0): out of memory: 671088640 bytes requested"),
             failure);
}

BOOST_AUTO_TEST_CASE(closing_the_context_frees_every_tensor) {
  Simulation sim(kb::test::config("tiny.yaml"));
  std::uint64_t free_before = 0;
  RuntimeContext* seen = nullptr;
  run_host(sim, [&](RuntimeContext& ctx) {
    seen = &ctx;
    free_before = ctx.memory().virtual_space().free_bytes();
    ctx.zeros({8, 8}, DType::f32, policy(Split::replicate, Split::row_wise, Split::replicate));
    ctx.zeros({8, 8}, DType::f32, policy(Split::replicate, Split::replicate, Split::column_wise));
    BOOST_TEST(ctx.live_tensors() == 2u);
    ctx.close();
    BOOST_TEST(ctx.live_tensors() == 0u);
    BOOST_TEST(ctx.memory().virtual_space().free_bytes() == free_before);
    for (std::uint32_t c = 0; c < 2; ++c)
      for (std::uint32_t p = 0; p < 2; ++p) {
        BOOST_TEST(ctx.memory().pe({0, c, p}).hbm().live_allocations() == 0u);
        BOOST_TEST(sim.system().pe(0, c, p).mmu.mappings() == 0u);
      }
  });
  BOOST_TEST(seen != nullptr);
}

BOOST_AUTO_TEST_CASE(a_deadlock_names_who_waits_on_what) {
  const std::string failure = failure_of(kb::test::config("tiny.yaml"), [](RuntimeContext& ctx) {
    using kb::models::PhysAddr;
    const std::uint64_t pe1 = PhysAddr::mmio(0, 0, 1).encode();
    ctx.wait(ctx.submit(kb::test::message(kb::models::IpcqInit{{{0, 0, {{1, pe1}}}}}, {0}),
                        {{0, 0}}, {}));
    Tensor t =
        ctx.zeros({1, 2}, DType::i32,
                  DPPolicy{Split::replicate, Split::replicate, Split::column_wise, {}, 1, {}});
    ctx.launch("lonely",
               [](KernelContext& k) {
                 if (k.location().pe != 0) return;
                 std::int32_t x;
                 k.pe().ipcq_recv(1, &x, sizeof x, 0);  // rank 1 never sends
               },
               {t});
  });
  BOOST_TEST(contains(failure, "deadlock"), failure);
  BOOST_TEST(
      contains(failure, "sip0.cube0.pe0 running 'lonely' (rank 0) waits for IPCQ data from rank 1"),
      failure);
  BOOST_TEST(contains(failure, "waits for request 'lonely_sip0'"), failure);
}

BOOST_AUTO_TEST_CASE(a_tensor_in_sram_is_one_copy_per_cube_shared_by_its_pes) {
  Simulation sim(kb::test::config("tiny.yaml"));
  run_host(sim, [&](RuntimeContext& ctx) {
    const DPPolicy in_sram{Split::replicate, Split::row_wise, Split::replicate, {}, {}, {},
                           MemoryKind::sram};
    std::vector<float> data(4 * 8);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<float>(i) - 7.5f;
    Tensor t = ctx.empty({4, 8}, DType::f32, in_sram, "shared");
    ctx.copy_(t, HostTensor::from(data, {4, 8}));
    BOOST_TEST(ctx.to_host(t).values<float>() == data);
    // Two PEs per cube, one SRAM copy per cube: every PE of a cube maps the same address.
    BOOST_TEST_REQUIRE(t.shards().size() == 4u);
    for (const DeviceShard& s : t.shards()) {
      BOOST_TEST((s.pa.region == kb::models::Region::sram));
      const auto& mmu = sim.system().pe(0, s.cube, s.pe).mmu;
      BOOST_TEST(mmu.translate(t.va_base() + s.offset_bytes).value() == s.pa.encode());
    }
    BOOST_TEST(t.shards()[0].pa.encode() == t.shards()[1].pa.encode());
    BOOST_TEST(t.shards()[0].pa.encode() != t.shards()[2].pa.encode());
    // One MemoryWrite per copy: two cubes, two writes.
    std::size_t writes = 0;
    for (const TraceEntry& e : ctx.traces()) writes += e.phase == "memory_write" ? 1 : 0;
    BOOST_TEST(writes == 2u);
    ctx.free(t);
    // The space is back: a tensor as large as the whole SRAM fits again.
    const auto sram_rows =
        static_cast<std::int64_t>(ctx.topology().sram_bytes_per_cube() / 4 / 256);
    Tensor full = ctx.empty({2 * sram_rows, 256}, DType::f32, in_sram, "full");
    BOOST_TEST(full.valid());
    // The PE level must replicate: one copy serves every PE.
    BOOST_CHECK_THROW(
        ctx.empty(
            {4, 8}, DType::f32,
            DPPolicy{
                Split::replicate, Split::row_wise, Split::row_wise, {}, {}, {}, MemoryKind::sram}),
        std::invalid_argument);
  });
}

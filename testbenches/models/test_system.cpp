// The elaborated machine end to end: routing, mesh latency, MMU, IPCQ, M_CPU, faults.
#include "platform/address_map.h"
#include "testbenches/harness/function_program.h"
#include "testbenches/harness/sim_test.h"

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

using namespace kb::models;
using kb::platform::Simulation;
using kb::test::Driver;

namespace {

std::uint64_t addr(std::uint32_t sip, std::uint32_t cube, Region region, std::uint32_t unit,
                   std::uint64_t offset) {
  return PhysAddr::of(sip, cube, region, unit, offset).encode();
}

// A 64-byte pattern unique to one target.
std::vector<unsigned char> pattern(std::uint64_t seed) {
  std::vector<unsigned char> bytes(64);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<unsigned char>((seed * 131 + i * 7 + 1) & 0xFF);
  }
  return bytes;
}

struct Target {
  std::uint64_t address;
  Memory* memory;
};

// Every memory of the machine: HBM slices, PE TCMs, SRAMs.
std::vector<Target> all_targets(System& system) {
  const MachineParams& m = system.machine();
  std::vector<Target> targets;
  for (std::uint32_t s = 0; s < m.sips; ++s) {
    for (std::uint32_t c = 0; c < m.cubes_per_sip(); ++c) {
      Cube& cube = system.sip(s).cube(c);
      for (std::uint32_t h = 0; h < m.hbm_slices; ++h) {
        targets.push_back({addr(s, c, Region::hbm, h, 4096 * (h + 1)), cube.hbm[h].get()});
      }
      for (std::uint32_t p = 0; p < m.pes_per_cube; ++p) {
        targets.push_back({addr(s, c, Region::tcm, p, 8192 + 64 * p), &cube.pes[p]->tcm});
      }
      targets.push_back({addr(s, c, Region::sram, 0, 128), &cube.sram});
    }
  }
  return targets;
}

// The host asks one M_CPU (the last cube of the last SIP) to write a distinct pattern into
// every memory of the machine, then a different M_CPU (cube 0 of SIP 0) reads each back.
// Each pattern must land in exactly the intended memory instance at the intended offset.
void check_every_memory_is_reached(const kb::platform::Topology& topology) {
  Simulation sim(topology);
  System& system = sim.system();
  const MachineParams& m = system.machine();
  const CubeTarget writer{m.sips - 1, m.cubes_per_sip() - 1};
  const CubeTarget reader{0, 0};
  const std::vector<Target> targets = all_targets(system);
  Driver driver("driver", [&] {
    for (std::size_t i = 0; i < targets.size(); ++i) {
      auto data = std::make_shared<std::vector<unsigned char>>(pattern(i));
      auto request = system.host.submit(
          kb::test::message(MemoryWrite{targets[i].address, 64, MemoryWrite::Pattern::data, data}),
          {writer});
      request->wait();
    }
    for (std::size_t i = 0; i < targets.size(); ++i) {
      auto request =
          system.host.submit(kb::test::message(MemoryRead{targets[i].address, 64}), {reader});
      request->wait();
      BOOST_REQUIRE(request->completions().size() == 1u);
      BOOST_TEST(*request->completions()[0].data == pattern(i),
                 PhysAddr::decode(targets[i].address).to_string());
    }
  });
  kb::test::run_to_end(driver);
  std::map<Memory*, std::uint64_t> resident;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    Memory& memory = *targets[i].memory;
    std::vector<unsigned char> bytes(64);
    memory.storage().read(targets[i].address - memory.base(), bytes.data(), 64);
    BOOST_TEST(bytes == pattern(i), memory.name());
    resident[&memory] += 4096;
  }
  for (const auto& [memory, bytes] : resident) {
    BOOST_TEST(memory->storage().resident_bytes() == bytes, memory->name() << " holds stray data");
  }
  BOOST_TEST_MESSAGE(targets.size() << " memories reached");
}

// Maps `pages` of 4 KiB at VA 0x1_0000_0000 + i * 4096 to `pas[i]` on PE (sip 0, cube 0, pe).
void map_pages(System& system, std::uint32_t pe, const std::vector<std::uint64_t>& pas) {
  MmuMap map;
  for (std::size_t i = 0; i < pas.size(); ++i)
    map.entries.push_back({0x1'0000'0000ULL + i * 4096, pas[i], 4096});
  auto request = system.host.submit(kb::test::message(map, {pe}), {{0, 0}});
  request->wait();
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_memory_is_reached_on_tiny) {
  check_every_memory_is_reached(kb::test::config("tiny.yaml"));
}

BOOST_AUTO_TEST_CASE(every_memory_is_reached_on_default) {
  check_every_memory_is_reached(kb::test::config("topology.yaml"));
}

BOOST_AUTO_TEST_CASE(every_memory_is_reached_on_multi_sip_ring) {
  check_every_memory_is_reached(
      kb::test::config("multi_sip.yaml", {"sip.cube_mesh.w=2", "sip.cube_mesh.h=2"}));
}

BOOST_AUTO_TEST_CASE(every_memory_is_reached_fully_connected_with_io_cube_inside) {
  check_every_memory_is_reached(kb::test::config(
      "multi_sip.yaml",
      {"system.sips.count=3", "system.inter_sip.topology=fully_connected", "sip.cube_mesh.w=3",
       "sip.cube_mesh.h=2", "sip.io_cube.x=1", "sip.io_cube.y=1"}));
}

BOOST_AUTO_TEST_CASE(every_memory_is_reached_through_a_switch) {
  check_every_memory_is_reached(
      kb::test::config("multi_sip.yaml", {"system.sips.count=5", "system.inter_sip.topology=switch",
                                          "sip.cube_mesh.w=1", "sip.cube_mesh.h=2"}));
}

BOOST_AUTO_TEST_CASE(xy_routes_take_manhattan_hops) {
  Simulation sim(kb::test::config("topology.yaml"));
  Sip& sip = sim.system().sip(0);
  const std::uint32_t w = 4;
  for (std::uint32_t from = 0; from < 16; ++from) {
    for (std::uint32_t to = 0; to < 16; ++to) {
      std::uint32_t at = from;
      std::uint32_t hops = 0;
      PhysAddr target = PhysAddr::decode(addr(0, to, Region::hbm, 5, 0));
      for (;;) {
        const CubeRouter& router = sip.cube(at).router;
        const std::string role = router.port_role(router.route(target).value());
        if (role == "hbm5") break;
        // x first: no north/south move while x differs.
        if (role == "north" || role == "south") BOOST_TEST(at % w == to % w);
        at = role == "east" ? at + 1 : role == "west" ? at - 1 : role == "south" ? at + w : at - w;
        BOOST_REQUIRE(++hops <= 6u);
      }
      const auto dx = static_cast<int>(from % w) - static_cast<int>(to % w);
      const auto dy = static_cast<int>(from / w) - static_cast<int>(to / w);
      BOOST_TEST(hops == static_cast<std::uint32_t>(std::abs(dx) + std::abs(dy)));
    }
  }
  // Off-SIP and host addresses head for the I/O cube (0, 0) and leave by its I/O port.
  const CubeRouter& corner = sip.cube(15).router;
  BOOST_TEST(corner.port_role(corner.route(PhysAddr::host()).value()) == "west");
  BOOST_TEST(sip.cube(0).router.port_role(sip.cube(0).router.route(PhysAddr::host()).value()) ==
             "io");
}

BOOST_AUTO_TEST_CASE(remote_reads_cost_two_link_and_router_latencies_per_mesh_hop) {
  Simulation sim(kb::test::config("topology.yaml"));
  System& system = sim.system();
  std::vector<std::uint64_t> pas;
  for (std::uint32_t c = 0; c < 16; ++c) pas.push_back(addr(0, c, Region::hbm, 0, 0));
  std::vector<Picoseconds> latency(16);
  Driver driver("driver", [&] {
    map_pages(system, 0, pas);
    auto request = system.host.submit(kb::test::launch(
                                          [&](PeServices& pe) {
                                            unsigned char buffer[64];
                                            for (std::uint32_t c = 0; c < 16; ++c) {
                                              pe.read(0x1'0000'0000ULL + c * 4096, buffer,
                                                      64);  // warms the TLB
                                              const Picoseconds before = pe.local_time_ps();
                                              pe.read(0x1'0000'0000ULL + c * 4096, buffer, 64);
                                              latency[c] = pe.local_time_ps() - before;
                                            }
                                          },
                                          {0}),
                                      {{0, 0}});
    request->wait();
  });
  kb::test::run_to_end(driver);
  // Local: TLB hit 1 ns + router 2 ns + HBM 100 ns + router 2 ns + 64 B at 128 GB/s (500 ps).
  BOOST_TEST(latency[0] == 105'500u);
  for (std::uint32_t c = 1; c < 16; ++c) {
    const std::uint64_t hops = c % 4 + c / 4;
    BOOST_TEST(latency[c] - latency[0] == hops * 2 * (10'000 + 2'000), "cube " << c);
  }
}

BOOST_AUTO_TEST_CASE(tlb_hit_and_miss_cost_their_cycles) {
  Simulation sim(
      kb::test::config("tiny.yaml", {"cube.pe_template.components.pe_mmu.attrs.tlb_entries=2"}));
  System& system = sim.system();
  std::vector<Picoseconds> cost;
  Driver driver("driver", [&] {
    map_pages(system, 1,
              {addr(0, 0, Region::tcm, 1, 0), addr(0, 0, Region::tcm, 1, 4096),
               addr(0, 0, Region::tcm, 1, 8192)});
    auto request =
        system.host.submit(kb::test::launch(
                               [&](PeServices& pe) {
                                 unsigned char b[8];
                                 for (std::uint64_t page :
                                      {0, 0, 1, 2, 0}) {  // miss, hit, miss, miss, miss (LRU of 2)
                                   const Picoseconds before = pe.local_time_ps();
                                   pe.read(0x1'0000'0000ULL + page * 4096, b, 8);
                                   cost.push_back(pe.local_time_ps() - before);
                                 }
                               },
                               {1}),
                           {{0, 0}});
    request->wait();
    BOOST_TEST(system.pe(0, 0, 1).mmu.tlb_hits() == 1u);
    BOOST_TEST(system.pe(0, 0, 1).mmu.tlb_misses() == 4u);
  });
  kb::test::run_to_end(driver);
  // Own TCM: translation + 4 cycles + 8 B at 512 GB/s (16 ps), no NoC.
  BOOST_TEST(cost[1] == 1'000u + 4'000u + 16u);
  BOOST_TEST(cost[0] == 100'000u + 4'000u + 16u);
  BOOST_TEST(cost[0] - cost[1] == 99'000u);
  BOOST_TEST(cost[4] == cost[0]);  // page 0 was evicted
}

BOOST_AUTO_TEST_CASE(m_cpu_charges_per_message_and_per_pe) {
  Simulation sim(kb::test::config("topology.yaml"));
  System& system = sim.system();
  std::map<std::size_t, Picoseconds> handling;
  Driver driver("driver", [&] {
    for (std::size_t n : {1, 8}) {
      std::vector<std::uint32_t> pes;
      for (std::uint32_t p = 0; p < n; ++p) pes.push_back(p);
      MmuMap map{{{0x2'0000'0000ULL + n * 4096, addr(0, 5, Region::hbm, 0, 0), 4096}}};
      auto request = system.host.submit(kb::test::message(map, pes), {{0, 5}});
      request->wait();
      const Completion& c = request->completions().at(0);
      handling[n] = c.finished_ps - c.started_ps;
    }
  });
  kb::test::run_to_end(driver);
  // 200 ns + 20 ns per PE, then per PE a round trip to it: two router passes (4 ns) and
  // the message's bytes (64 + 4 per PE + 24 per entry) at the router port's 128 GB/s.
  auto expected = [](std::uint64_t n) {
    const std::uint64_t wire = 64 + 4 * n + 24;
    return 200'000 + 20'000 * n + n * (4'000 + (wire * 1000 + 127) / 128);
  };
  BOOST_TEST(handling[1] == expected(1));
  BOOST_TEST(handling[8] == expected(8));
}

BOOST_AUTO_TEST_CASE(kernel_completion_carries_per_pe_timing) {
  Simulation sim(kb::test::config("tiny.yaml"));
  System& system = sim.system();
  Driver driver("driver", [&] {
    auto request = system.host.submit(
        kb::test::launch([](PeServices& pe) { pe.compute(1000 * (pe.location().pe + 1)); }, {0, 1}),
        {{0, 0}, {0, 1}});
    request->wait();
    BOOST_REQUIRE(request->completions().size() == 2u);
    for (const Completion& c : request->completions()) {
      BOOST_REQUIRE(c.pes.size() == 2u);
      for (const PeTiming& t : c.pes)
        BOOST_TEST(t.finished_ps - t.started_ps == 1'000'000u * (t.pe + 1));
      BOOST_TEST(c.finished_ps >= c.pes[0].finished_ps);
    }
    BOOST_TEST(request->is_completed());
    BOOST_TEST(request->done_ps() == kb::models::now_ps());
  });
  kb::test::run_to_end(driver);
}

// A core synchronises with the kernel when its local time passes the quantum (100 ns on
// tiny), unless the kernel defers it for a stretch of pure computation; the next compute
// after the stretch synchronises, and each launch starts undeferred.
BOOST_AUTO_TEST_CASE(a_kernel_can_defer_synchronisation_over_local_work) {
  Simulation sim(kb::test::config("tiny.yaml"));
  System& system = sim.system();
  std::vector<Picoseconds> seen;  // simulated, then local time, at each point
  auto at = [&seen](PeServices& pe) {
    seen.push_back(now_ps());
    seen.push_back(pe.local_time_ps());
  };
  Driver driver("driver", [&] {
    auto deferred = kb::test::launch(
        [&](PeServices& pe) {
          at(pe);
          pe.defer_sync(true);
          for (int i = 0; i < 10; ++i) pe.compute(1000);  // 10 us at 1 GHz
          pe.wait_until(pe.local_time_ps() + 1'000'000);  // and 1 us more
          at(pe);
          pe.defer_sync(false);
          pe.compute(1);
          at(pe);
          pe.defer_sync(true);  // left deferred: the next launch is not
        },
        {0});
    system.host.submit(deferred, {{0, 0}})->wait();
    auto plain = kb::test::launch(
        [&](PeServices& pe) {
          at(pe);
          pe.compute(1000);
          at(pe);
        },
        {0});
    system.host.submit(plain, {{0, 0}})->wait();
  });
  kb::test::run_to_end(driver);
  BOOST_REQUIRE(seen.size() == 10u);
  const Picoseconds start = seen[0];
  BOOST_TEST(seen[1] == start);
  BOOST_TEST(seen[2] == start);  // deferred: 11 us of local time, no synchronisation
  BOOST_TEST(seen[3] == start + 11'000'000);
  BOOST_TEST(seen[4] == start + 11'001'000);  // the first compute after synchronises
  BOOST_TEST(seen[5] == seen[4]);
  BOOST_TEST(seen[8] == seen[9]);  // the next launch synchronises as usual
  BOOST_TEST(seen[8] == seen[6] + 1'000'000);
}

// The same kernel launched by the host, by the SIP's graph dispatcher through the cubes'
// M_CPUs, and straight to resident PEs: every PE runs it and reports its timing each way;
// the dispatcher's requests have ids of their own and complete without the host link, so
// the launch reaches the PEs sooner and the end is known sooner (2 x 100 ns host-link
// latency fewer from the dispatcher; the M_CPUs' 200 + 20 x 2 ns fewer still when resident).
BOOST_AUTO_TEST_CASE(a_graph_dispatcher_launches_without_the_host) {
  Simulation sim(kb::test::config("tiny.yaml"));
  System& system = sim.system();
  std::map<std::string, Picoseconds> span;
  std::map<std::string, std::uint64_t> id;
  Driver driver("driver", [&] {
    auto kernel = [] {
      return kb::test::launch([](PeServices& pe) { pe.compute(1000 * (pe.location().pe + 1)); },
                              {0, 1});
    };
    auto check = [&](const std::string& how, const std::shared_ptr<IssuedRequest>& request) {
      const Picoseconds begin = now_ps();
      request->wait();
      span[how] = now_ps() - begin;
      id[how] = request->id();
      BOOST_REQUIRE(request->completions().size() == 2u);
      for (const Completion& c : request->completions()) {
        BOOST_REQUIRE(c.pes.size() == 2u);
        for (const PeTiming& t : c.pes)
          BOOST_TEST(t.finished_ps - t.started_ps == 1'000'000u * (t.pe + 1), how);
      }
    };
    check("host", system.host.submit(kernel(), {{0, 0}, {0, 1}}));
    GraphDispatch& dispatcher = system.sip(0).dispatcher();
    check("graph", dispatcher.dispatch(kernel(), {{0, 0}, {0, 1}}, Residency::graph));
    check("persistent", dispatcher.dispatch(kernel(), {{0, 0}, {0, 1}}, Residency::persistent));
    // Only kernel launches, only on its own SIP.
    BOOST_CHECK_THROW(
        dispatcher.dispatch(kb::test::message(MmuMap{}, {0}), {{0, 0}}, Residency::graph),
        SimulationError);
  });
  kb::test::run_to_end(driver);
  BOOST_TEST(id["graph"] >= (1ULL << 48));  // SIP 0's range
  BOOST_TEST(id["persistent"] > id["graph"]);
  BOOST_TEST(span["graph"] < span["host"]);
  BOOST_TEST(span["persistent"] < span["graph"]);
}

BOOST_AUTO_TEST_CASE(ipcq_keeps_order_and_back_pressures_the_sender) {
  Simulation sim(kb::test::config("tiny.yaml"));
  System& system = sim.system();
  constexpr std::uint64_t kEntries = 20;  // depth is 8
  constexpr std::uint64_t kEntry = 4096;
  std::vector<unsigned char> sent(kEntries * kEntry);
  for (std::size_t i = 0; i < sent.size(); ++i)
    sent[i] = static_cast<unsigned char>(i * 31 + i / 4096);
  std::vector<unsigned char> received(sent.size());
  Picoseconds sender_done = 0;
  Picoseconds receiver_started = 0;
  Driver driver("driver", [&] {
    const std::uint64_t pe0 = PhysAddr::mmio(0, 0, 0).encode();
    const std::uint64_t pe1 = PhysAddr::mmio(0, 0, 1).encode();
    IpcqInit init{{{0, 0, {{1, pe1}}}, {1, 1, {{0, pe0}}}}};
    system.host.submit(kb::test::message(init, {0, 1}), {{0, 0}})->wait();
    auto request = system.host.submit(
        kb::test::launch(
            [&](PeServices& pe) {
              if (pe.location().pe == 0) {
                pe.ipcq_send(1, sent.data(), sent.size(), {});
                sender_done = pe.local_time_ps();
              } else {
                pe.compute(50'000);  // 50 us before the receiver starts draining
                receiver_started = pe.local_time_ps();
                pe.ipcq_recv(0, received.data(), received.size() / 2, 0);
                pe.ipcq_recv(0, received.data() + received.size() / 2, received.size() / 2, 0);
              }
            },
            {0, 1}),
        {{0, 0}});
    request->wait();
  });
  kb::test::run_to_end(driver);
  BOOST_TEST(received == sent);
  BOOST_TEST(sender_done > receiver_started);  // it could not finish before credits came back
  const auto& queues = kb::models::stats_registry().queues();
  const auto q = std::find_if(queues.begin(), queues.end(), [](const auto& e) {
    return e.path == "system.sip0.cube0.pe1.ipcq.from_rank0";
  });
  BOOST_REQUIRE(q != queues.end());
  BOOST_TEST(q->queue->high_water == 8u);
  BOOST_TEST(q->queue->pushes == kEntries);
}

BOOST_AUTO_TEST_CASE(an_unmapped_access_ends_the_run_with_a_clear_fault) {
  Simulation sim(kb::test::config("tiny.yaml"));
  System& system = sim.system();
  Driver driver("driver", [&] {
    auto request = system.host.submit(kb::test::launch(
                                          [](PeServices& pe) {
                                            unsigned char b[4];
                                            pe.read(0x1'2345'6000ULL, b, 4);
                                          },
                                          {1}, "faulty_kernel"),
                                      {{0, 1}});
    request->wait();
  });
  try {
    sim.run();
    BOOST_FAIL("the run should have stopped with a fault");
  } catch (const SimulationError& e) {
    const std::string message = e.what();
    BOOST_TEST(message.find("MMU fault") != std::string::npos, message);
    BOOST_TEST(message.find("0x123456000") != std::string::npos, message);
    BOOST_TEST(message.find("sip0.cube1.pe1 running 'faulty_kernel'") != std::string::npos,
               message);
  }
  BOOST_TEST(!driver.finished());
}

BOOST_AUTO_TEST_CASE(durations_saturate_instead_of_wrapping) {
  BOOST_TEST(ns_to_ps(1e300) == kMaxPicoseconds);
  BOOST_TEST(cycles_to_ps(Picoseconds{1} << 62, 0.001) == kMaxPicoseconds);
  BOOST_TEST(Bandwidth(0.001).occupancy(~std::uint64_t{0}) == kMaxPicoseconds);
  BOOST_TEST(cycles_to_ps(3, 1.5) == 2000u);  // ordinary values are unchanged
}

// A clock period converts as cycles_to_ps() does, whole periods or not, up to saturation; and
// from_ps() makes the time it is given, up to the limit.
BOOST_AUTO_TEST_CASE(clock_periods_and_times_convert_exactly) {
  const std::vector<std::uint64_t> counts = {0,
                                             1,
                                             3,
                                             999,
                                             1'000'001,
                                             (std::uint64_t{1} << 53) / 1000 - 1,
                                             (std::uint64_t{1} << 53) / 1000,
                                             std::uint64_t{1} << 60,
                                             ~std::uint64_t{0}};
  for (const double f : {1.0, 2.0, 1.25, 0.5, 0.001, 1.5, 3.0, 0.3, 2.5, 1e-9}) {
    const ClockPeriod period(f);
    for (const std::uint64_t n : counts)
      BOOST_TEST(period.of(n) == cycles_to_ps(n, f), "f " << f << " n " << n);
  }
  for (const Picoseconds ps :
       {Picoseconds{0}, Picoseconds{1}, Picoseconds{123'456'789}, (Picoseconds{1} << 52) - 1,
        Picoseconds{1} << 52, (Picoseconds{1} << 52) + 1, kMaxPicoseconds})
    BOOST_TEST(to_ps(from_ps(ps)) == ps);
}

// Saturated durations add up past the limit, which the driver reports instead of letting
// time wrap.
BOOST_AUTO_TEST_CASE(a_run_past_the_simulated_time_limit_is_an_error) {
  Simulation sim(kb::test::config("tiny.yaml"));
  Driver driver("driver", [&] {
    for (int i = 0; i < 3; ++i) sc_core::wait(from_ps(kMaxPicoseconds / 2));
  });
  try {
    sim.run();
    BOOST_FAIL("the run went past the limit");
  } catch (const SimulationError& e) {
    BOOST_TEST(std::string(e.what()).find("simulated time reached") != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(vcd_of_a_scoped_run_is_valid_and_shows_activity) {
  const std::string path = "activity_test.vcd";
  std::remove(path.c_str());
  {
    kb::platform::RunOptions options;
    options.vcd_path = path;
    options.vcd_scope = "system.sip0.cube1.*";
    Simulation sim(kb::test::config("tiny.yaml"), options);
    System& system = sim.system();
    Driver driver("driver", [&] {
      for (std::uint32_t slice = 0; slice < 2; ++slice) {
        auto data = std::make_shared<std::vector<unsigned char>>(65536, 7);
        system.host
            .submit(kb::test::message(MemoryWrite{addr(0, 1, Region::hbm, slice, 0), 65536,
                                                  MemoryWrite::Pattern::data, data}),
                    {{0, 1}})
            ->wait();
      }
    });
    sim.run();  // completes the VCD and renames it into place
    BOOST_REQUIRE(driver.finished());
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string vcd = text.str();
  BOOST_TEST(vcd.find("hbm0") != std::string::npos);
  BOOST_TEST(vcd.find("router") != std::string::npos);
  BOOST_TEST(vcd.find("cube0") == std::string::npos, "out of scope resources were traced");
  BOOST_TEST(vcd.find("\n#") != std::string::npos, "no value changes");
  const int status = std::system(("vcd2lxt2 " + path + " /dev/null > vcd2lxt2.log 2>&1").c_str());
  BOOST_TEST(status == 0, "vcd2lxt2 rejected " << path << " (see vcd2lxt2.log)");
}

BOOST_AUTO_TEST_CASE(vcd_scope_matching_nothing_is_an_error) {
  kb::platform::RunOptions options;
  options.vcd_path = "unused.vcd";
  options.vcd_scope = "system.nothing.*";
  BOOST_CHECK_THROW(Simulation(kb::test::config("tiny.yaml"), options), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(address_map_matches_the_elaborated_memories) {
  const auto topology =
      kb::test::config("multi_sip.yaml", {"sip.cube_mesh.w=2", "sip.cube_mesh.h=3"});
  Simulation sim(topology);
  const auto map = kb::platform::address_map(topology);
  std::map<std::string, const kb::platform::AddressRange*> by_name;
  for (const auto& r : map) BOOST_TEST(by_name.emplace(r.name, &r).second, r.name << " twice");
  std::size_t memories = 0;
  for (const Target& t : all_targets(sim.system())) {
    Memory& m = *t.memory;
    // "system.sip1.cube4.pe3.tcm" -> "sip1.cube4.pe3.tcm"
    const std::string name = std::string(m.name()).substr(std::string("system.").size());
    const auto it = by_name.find(name);
    BOOST_REQUIRE_MESSAGE(it != by_name.end(), name << " is not in the address map");
    BOOST_TEST(it->second->base.encode() == m.base(), name);
    BOOST_TEST(it->second->size == m.storage().size(), name);
    ++memories;
  }
  BOOST_TEST(memories == 4u * 6u * (8u + 8u + 1u));
  // Ranges never overlap.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> spans;
  for (const auto& r : map) spans.emplace_back(r.base.encode(), r.base.encode() + r.size);
  std::sort(spans.begin(), spans.end());
  for (std::size_t i = 1; i < spans.size(); ++i) BOOST_TEST(spans[i - 1].second <= spans[i].first);
}

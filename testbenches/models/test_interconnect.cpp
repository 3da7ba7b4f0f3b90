// Links and the cube router, each driven alone through test initiators.
#include "models/cube/cube_router.h"
#include "models/interconnect/hop.h"
#include "models/interconnect/link.h"
#include "models/memory/memory.h"
#include "testbenches/harness/recording_target.h"
#include "testbenches/harness/sim_test.h"
#include "testbenches/harness/test_initiator.h"

#include <boost/test/unit_test.hpp>

using namespace kb::models;
using kb::test::RecordingTarget;
using kb::test::TestInitiator;

namespace {

// 1000 bytes: 20 ns on a 50 GB/s link, 10 ns on a 100 GB/s port, 5 ns at 200 GB/s.
constexpr std::uint64_t kBytes = 1000;

MemoryGeometry memory_at(std::uint32_t cube, std::uint32_t slice) {
  return {PhysAddr::of(0, cube, Region::hbm, slice).encode(), 1 << 20, 200, 10'000};
}

// Initiator A -> link (10 ns, 50 GB/s) -> memory B, and initiator B -> link -> memory A.
struct LinkBench {
  LinkBench()
      : link("link", LinkAttrs{{10, 50}}, EnergyClass::noc),
        a("a"),
        b("b"),
        mem_a("mem_a", memory_at(0, 0)),
        mem_b("mem_b", memory_at(1, 0)) {
    a.out.bind(link.a_in);
    link.b_out.bind(mem_b.target);
    b.out.bind(link.b_in);
    link.a_out.bind(mem_a.target);
  }
  Link link;
  TestInitiator a, b;
  Memory mem_a, mem_b;
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_link_adds_its_latency_each_way_and_its_bandwidth_once) {
  set_time_resolution();
  LinkBench bench;
  kb::test::Driver driver("driver", [&] {
    std::vector<unsigned char> data(kBytes, 7), back(kBytes, 0);
    // Write: 10 ns there + 10 ns memory + 20 ns (bytes at the 50 GB/s bottleneck) + 10 ns back.
    BOOST_TEST(bench.a.access(tlm::TLM_WRITE_COMMAND, bench.mem_b.base(), data.data(), kBytes) ==
               50'000u);
    sc_core::wait(1, sc_core::SC_US);
    // Read: the data comes back over the link; the same 50 ns.
    BOOST_TEST(bench.a.access(tlm::TLM_READ_COMMAND, bench.mem_b.base(), back.data(), kBytes) ==
               50'000u);
    BOOST_TEST(back == data);
  });
  kb::test::run_to_end(driver);
}

BOOST_AUTO_TEST_CASE(a_second_transfer_queues_on_its_direction_only) {
  set_time_resolution();
  LinkBench bench;
  TestInitiator a2("a2");
  a2.out.bind(bench.link.a_in);
  kb::test::Driver driver("driver", [&] {
    std::vector<unsigned char> data(kBytes, 1);
    const Picoseconds first =
        bench.a.access(tlm::TLM_WRITE_COMMAND, bench.mem_b.base(), data.data(), kBytes);
    // Same direction, same time: it waits for the first one's 20 ns on a_to_b.
    const Picoseconds second =
        a2.access(tlm::TLM_WRITE_COMMAND, bench.mem_b.base() + kBytes, data.data(), kBytes);
    // The other direction, same time: untouched.
    const Picoseconds other =
        bench.b.access(tlm::TLM_WRITE_COMMAND, bench.mem_a.base(), data.data(), kBytes);
    BOOST_TEST(first == 50'000u);
    BOOST_TEST(second == 70'000u);
    BOOST_TEST(other == 50'000u);
  });
  kb::test::run_to_end(driver);
}

BOOST_AUTO_TEST_CASE(debug_access_crosses_a_link_without_time) {
  set_time_resolution();
  LinkBench bench;
  kb::test::Driver driver("driver", [&] {
    std::vector<unsigned char> data{1, 2, 3, 4}, back(4, 0);
    bench.a.access(tlm::TLM_WRITE_COMMAND, bench.mem_b.base() + 8, data.data(), 4);
    const std::uint64_t bytes = kb::test::resource("link.a_to_b").stats().bytes;
    tlm::tlm_generic_payload& p =
        bench.a.txn.access(tlm::TLM_READ_COMMAND, bench.mem_b.base() + 8, back.data(), 4);
    BOOST_TEST(bench.a.out.transport_dbg(0, p) == 4u);
    BOOST_TEST(back == data);
    BOOST_TEST(kb::test::resource("link.a_to_b").stats().bytes == bytes);
  });
  kb::test::run_to_end(driver);
}

namespace {

// The router of cube (1, 0) of a 2 x 2 mesh whose I/O cube is (0, 0): 1 GHz, 2 cycles a
// pass, 100 GB/s ports. PE 0 and PE 1 enter; HBM slice 0 is a memory; the west and south
// mesh ports and PE 1's port lead to recording targets.
struct RouterBench {
  RouterBench()
      : router("router", CubeRouterAttrs{1.0, 2, 100.0}, MeshPlace{0, 1, 0, 2, 2, 0, 0}),
        pe0("pe0"),
        pe1("pe1"),
        hbm("hbm", memory_at(1, 0)),
        west("west"),
        south("south"),
        pe1_endpoint("pe1_endpoint") {
    const unsigned p0 = router.add_pe_port(0), p1 = router.add_pe_port(1);
    router.bind_in(p0, pe0.out);
    router.bind_in(p1, pe1.out);
    router.bind_out(p1, pe1_endpoint.in);
    router.bind_out(router.add_hbm_port(0), hbm.target);
    router.bind_out(router.add_mesh_port(MeshDirection::west), west.in);
    router.bind_out(router.add_mesh_port(MeshDirection::south), south.in);
  }
  CubeRouter router;
  TestInitiator pe0, pe1;
  Memory hbm;
  RecordingTarget west, south, pe1_endpoint;
};

}  // namespace

BOOST_AUTO_TEST_CASE(the_cube_router_routes_on_address_fields_alone) {
  set_time_resolution();
  RouterBench bench;
  kb::test::Driver driver("driver", [&] {
    std::uint32_t word = 0;
    auto send = [&](std::uint64_t address) {
      tlm::tlm_response_status status;
      bench.pe0.access(tlm::TLM_WRITE_COMMAND, address, &word, 4, 0, &status);
      return status;
    };
    auto hbm = [](std::uint32_t sip, std::uint32_t cube) {
      return PhysAddr::of(sip, cube, Region::hbm, 0).encode();
    };
    BOOST_TEST(send(hbm(0, 0)) == tlm::TLM_OK_RESPONSE);  // cube (0, 0): west
    BOOST_TEST(send(hbm(0, 2)) == tlm::TLM_OK_RESPONSE);  // cube (0, 1): x first, so west
    BOOST_TEST(send(hbm(0, 3)) == tlm::TLM_OK_RESPONSE);  // cube (1, 1): south
    BOOST_TEST(send(hbm(3, 1)) == tlm::TLM_OK_RESPONSE);  // another SIP: to the I/O cube, west
    BOOST_TEST(send(PhysAddr::mmio(0, 1, 1).encode()) == tlm::TLM_OK_RESPONSE);  // PE 1
    BOOST_TEST(send(hbm(0, 1)) == tlm::TLM_OK_RESPONSE);                         // its own slice 0
    BOOST_TEST(send(PhysAddr::of(0, 1, Region::hbm, 5).encode()) ==
               tlm::TLM_ADDRESS_ERROR_RESPONSE);
    BOOST_TEST(send(PhysAddr::of(0, 1, Region::sram, 0).encode()) ==
               tlm::TLM_ADDRESS_ERROR_RESPONSE);
    BOOST_TEST(bench.west.arrivals.size() == 3u);
    BOOST_TEST(bench.south.arrivals.size() == 1u);
    BOOST_TEST(bench.pe1_endpoint.arrivals.size() == 1u);
    BOOST_TEST(bench.hbm.port().stats().transactions == 1u);
  });
  kb::test::run_to_end(driver);
}

BOOST_AUTO_TEST_CASE(a_pass_costs_the_hop_each_way_and_ports_serialise) {
  set_time_resolution();
  RouterBench bench;
  kb::test::Driver driver("driver", [&] {
    std::vector<unsigned char> data(kBytes, 3);
    const std::uint64_t at = bench.hbm.base();
    // 2 ns in + 10 ns memory + 10 ns (1000 bytes at the 100 GB/s port) + 2 ns out.
    const Picoseconds first = bench.pe0.access(tlm::TLM_WRITE_COMMAND, at, data.data(), kBytes);
    // From PE 1 at the same time: it shares the hbm port and waits its 10 ns.
    const Picoseconds second =
        bench.pe1.access(tlm::TLM_WRITE_COMMAND, at + kBytes, data.data(), kBytes);
    BOOST_TEST(first == 24'000u);
    BOOST_TEST(second == 34'000u);
    std::vector<unsigned char> back(kBytes, 0);
    tlm::tlm_generic_payload& p =
        bench.pe0.txn.access(tlm::TLM_READ_COMMAND, at, back.data(), kBytes);
    BOOST_TEST(bench.pe0.out.transport_dbg(0, p) == kBytes);
    BOOST_TEST(back == data);
  });
  kb::test::run_to_end(driver);
}

BOOST_AUTO_TEST_CASE(a_stream_held_at_a_later_hop_ends_when_its_last_byte_is_through) {
  // Flow fidelity: a 30 ns stream of 10 ns entries crosses hop a, busy over [10, 40) ns, so
  // its parts leave a over [0, 10) and [40, 60); hop b, busy until 50 ns, holds its head
  // there. Its bytes then pass b over [50, 80): the last is through at 80 ns, not a's
  // trickle of 60 ns again after the head's 50.
  set_time_resolution();
  kb::test::Driver driver("driver", [] {
    Resource a(100.0), b(100.0);  // 10 ps per byte
    a.reserve(10'000, 3000);
    b.reserve(0, 5000);
    TransferExtension t;
    t.shape.grain_bytes = 1000;
    HopChain chain(t, sc_core::SC_ZERO_TIME);
    chain.pass(&a, 0, 3000);
    BOOST_TEST(chain.head() == 0u);
    BOOST_TEST(t.tail_ps == 60'000u);
    chain.pass(&b, 0, 3000);
    BOOST_TEST(chain.head() == 50'000u);
    BOOST_TEST(t.tail_ps == 30'000u);
  });
  kb::test::run_to_end(driver);
}

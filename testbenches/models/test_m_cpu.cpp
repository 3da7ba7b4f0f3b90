// The management CPU driven alone: control messages in from a test initiator, fan-out and
// completions out to a recording target that stands for the cube's NoC.
#include "models/cube/m_cpu.h"
#include "testbenches/harness/function_program.h"
#include "testbenches/harness/recording_target.h"
#include "testbenches/harness/sim_test.h"
#include "testbenches/harness/test_initiator.h"

#include <boost/test/unit_test.hpp>

using namespace kb::models;
using kb::test::RecordingTarget;
using kb::test::TestInitiator;

namespace {

const std::uint64_t kHost = PhysAddr::host(0).encode();

// The M_CPU of cube 0 of SIP 0: 200 ns per message, 20 ns per PE.
struct MCpuBench {
  MCpuBench() : m_cpu("m_cpu", MCpuAttrs{200, 20}, 0, 0, false, false), host("host"), noc("noc") {
    host.out.bind(m_cpu.in);
    m_cpu.out.bind(noc.in);
  }
  // Posts `message` to the M_CPU at the current time.
  void post(std::shared_ptr<ControlMessage> message) {
    message->reply_to = kHost;
    tlm::tlm_generic_payload& p =
        host.txn.control(PhysAddr::mmio(0, 0, kMcpuUnit).encode(), std::move(message));
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    host.out.transport(0, p, delay);
  }
  MCpu m_cpu;
  TestInitiator host;
  RecordingTarget noc;
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_message_costs_its_handling_plus_each_pe_it_fans_out_to) {
  set_time_resolution();
  MCpuBench bench;
  kb::test::Driver driver("driver", [&] {
    bench.post(kb::test::message(MmuMap{{{0x1000, 0, 4096}}}, {0, 1, 2}));
    sc_core::wait(1, sc_core::SC_US);
    // 200 ns + 3 x 20 ns, then one control write per PE and the completion to the host.
    const auto& got = bench.noc.arrivals;
    BOOST_TEST_REQUIRE(got.size() == 4u);
    for (std::uint32_t pe = 0; pe < 3; ++pe) {
      BOOST_TEST(got[pe].kind == "MmuMap");
      BOOST_TEST(got[pe].address == PhysAddr::mmio(0, 0, pe, kPeControlOffset).encode());
      BOOST_TEST(got[pe].at == 260'000u);
    }
    BOOST_TEST(got[3].kind == "Completion");
    BOOST_TEST(got[3].address == kHost);
    BOOST_TEST(got[3].at == 260'000u);
  });
  kb::test::run_to_end(driver);
}

BOOST_AUTO_TEST_CASE(messages_are_handled_one_at_a_time_in_arrival_order) {
  set_time_resolution();
  MCpuBench bench;
  kb::test::Driver driver("driver", [&] {
    bench.post(kb::test::message(MmuMap{{{0x1000, 0, 4096}}}, {0, 1, 2}));
    bench.post(kb::test::message(MmuUnmap{{{0x1000, 4096}}}, {4}));
    sc_core::wait(1, sc_core::SC_US);
    const auto& got = bench.noc.arrivals;
    BOOST_TEST_REQUIRE(got.size() == 6u);
    // The second starts when the first is done (260 ns) and takes 200 + 20 ns.
    BOOST_TEST(got[4].kind == "MmuUnmap");
    BOOST_TEST(got[4].address == PhysAddr::mmio(0, 0, 4, kPeControlOffset).encode());
    BOOST_TEST(got[4].at == 480'000u);
    BOOST_TEST(got[5].kind == "Completion");
  });
  kb::test::run_to_end(driver);
}

BOOST_AUTO_TEST_CASE(a_plain_data_write_is_refused) {
  set_time_resolution();
  MCpuBench bench;
  kb::test::Driver driver("driver", [&] {
    std::uint32_t word = 0;
    tlm::tlm_response_status status;
    bench.host.access(tlm::TLM_WRITE_COMMAND, PhysAddr::mmio(0, 0, kMcpuUnit).encode(), &word, 4, 0,
                      &status);
    BOOST_TEST(status == tlm::TLM_COMMAND_ERROR_RESPONSE);
    BOOST_TEST(bench.noc.arrivals.empty());
  });
  kb::test::run_to_end(driver);
}

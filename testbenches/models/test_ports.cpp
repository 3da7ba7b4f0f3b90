// The project's socket wrappers: an initiator port bound to a target port calls it directly
// (found by a probe through the socket) with the binding the socket's callback would pass;
// bindings made to the raw socket, and payloads from other libraries, still go through the
// socket, and every one arrives.
#include "models/common/initiator_port.h"
#include "models/common/target_port.h"
#include "testbenches/harness/recording_target.h"
#include "testbenches/harness/sim_test.h"

#include <boost/test/unit_test.hpp>

#include <vector>

using namespace kb::models;

namespace {
// Four initiator ports in a module of their own (ports live in modules).
struct Initiators : sc_core::sc_module {
  explicit Initiators(const sc_core::sc_module_name& name) : sc_core::sc_module(name) {}
  InitiatorPort raw_first{"raw_first"}, a{"a"}, raw_between{"raw_between"}, b{"b"};
};
}  // namespace

BOOST_AUTO_TEST_CASE(initiators_reach_a_target_port_with_their_own_bindings) {
  set_time_resolution();
  kb::test::RecordingTarget target("recorder", 1000);
  Initiators initiators("initiators");
  InitiatorPort &raw_first = initiators.raw_first, &a = initiators.a,
                &raw_between = initiators.raw_between, &b = initiators.b;
  // Bound in this order, the socket numbers them 0, 1, 2, 3; two of them to the raw socket.
  raw_first.bind(target.in.socket);
  a.bind(target.in);
  raw_between.bind(target.in.socket);
  b.bind(target.in);
  kb::test::Driver driver("ports_driver", [&] {
    unsigned char data[4] = {};
    Transaction txn;
    std::uint64_t address = 0x100;
    for (InitiatorPort* port : {&b, &raw_between, &a, &raw_first, &b}) {
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
      tlm::tlm_generic_payload& p = txn.access(tlm::TLM_WRITE_COMMAND, address++, data, 4);
      port->transport(0, p, delay);
      BOOST_TEST(p.is_response_ok());
      BOOST_TEST(delay == sc_core::sc_time(1, sc_core::SC_NS));
    }
    // Another library's payload, no transfer extension, through a directly called port.
    tlm::tlm_generic_payload foreign;
    foreign.set_command(tlm::TLM_WRITE_COMMAND);
    foreign.set_address(0x200);
    foreign.set_data_ptr(data);
    foreign.set_data_length(4);
    foreign.set_streaming_width(4);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    a.transport(0, foreign, delay);
    BOOST_TEST(foreign.is_response_ok());
    BOOST_TEST(foreign.get_extension<TransferExtension>() == nullptr);  // only for the call
  });
  kb::test::run_to_end(driver);
  const std::vector<int> bindings = {3, 2, 1, 0, 3, 1};
  const std::vector<std::uint64_t> addresses = {0x100, 0x101, 0x102, 0x103, 0x104, 0x200};
  BOOST_TEST_REQUIRE(target.arrivals.size() == bindings.size());
  for (std::size_t i = 0; i < bindings.size(); ++i) {
    BOOST_TEST(target.arrivals[i].binding == bindings[i], "transport " << i);
    BOOST_TEST(target.arrivals[i].address == addresses[i], "transport " << i);
  }
}

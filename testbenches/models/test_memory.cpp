// Memory targets, the contention rule and the TLM protocol checks.
#include "models/common/resource.h"
#include "models/memory/memory.h"
#include "testbenches/harness/sim_test.h"
#include "testbenches/harness/test_initiator.h"

#include <boost/test/unit_test.hpp>

#include <tlm_utils/simple_initiator_socket.h>

#include <cstring>

using namespace kb::models;
using kb::test::TestInitiator;

namespace {

// 150 GB/s: 1000 / 150 ps per byte, rounded up per transfer.
Picoseconds hbm_occupancy(std::uint64_t bytes) { return (bytes * 1000 + 149) / 150; }

// 1 MiB at 150 GB/s with a 100 ns latency.
MemoryGeometry hbm_geometry() {
  return {PhysAddr::of(1, 2, Region::hbm, 3).encode(), 1 << 20, 150, 100'000};
}

// One memory and two initiators bound to it.
struct Bench {
  Bench() : memory("hbm", hbm_geometry()), a("a"), b("b") {
    set_time_resolution();
    a.out.bind(memory.target);
    b.out.bind(memory.target);
  }
  std::uint64_t at(std::uint64_t offset) const { return memory.base() + offset; }
  Memory memory;
  TestInitiator a;
  TestInitiator b;
};

}  // namespace

BOOST_AUTO_TEST_CASE(read_takes_latency_plus_bytes_over_bandwidth) {
  Bench bench;
  kb::test::Driver driver("driver", [&] {
    std::vector<unsigned char> buffer(4096);
    BOOST_TEST(bench.a.access(tlm::TLM_READ_COMMAND, bench.at(0), buffer.data(), 4096) ==
               100'000 + hbm_occupancy(4096));
    BOOST_TEST(hbm_occupancy(4096) == 27307u);
    // Later, alone again: the same cost.
    sc_core::wait(1, sc_core::SC_US);
    BOOST_TEST(bench.a.access(tlm::TLM_WRITE_COMMAND, bench.at(64), buffer.data(), 1000) ==
               100'000 + hbm_occupancy(1000));
  });
  kb::test::run_to_end(driver);
}

BOOST_AUTO_TEST_CASE(second_initiator_waits_exactly_the_first_ones_occupancy) {
  Bench bench;
  kb::test::Driver driver("driver", [&] {
    std::vector<unsigned char> buffer(8192);
    const Picoseconds first =
        bench.a.access(tlm::TLM_WRITE_COMMAND, bench.at(0), buffer.data(), 8192);
    const Picoseconds second =
        bench.b.access(tlm::TLM_WRITE_COMMAND, bench.at(8192), buffer.data(), 8192);
    BOOST_TEST(first == 100'000 + hbm_occupancy(8192));
    BOOST_TEST(second - first == hbm_occupancy(8192));
    BOOST_TEST(bench.memory.port().stats().queued_ps == hbm_occupancy(8192));
    BOOST_TEST(bench.memory.port().stats().bytes == 16384u);
  });
  kb::test::run_to_end(driver);
}

BOOST_AUTO_TEST_CASE(a_request_from_the_past_fills_an_idle_gap) {
  // ADR 0003: initiator A, ahead in local time, books [50 ns, 50 ns + occ); B then asks
  // for 10 ns. B fits before A's booking and is not delayed; a request that does not fit
  // the gap waits until A's booking ends.
  set_time_resolution();
  kb::test::Driver driver("driver", [] {
    Resource port(100.0);                               // 10 ps per byte
    BOOST_TEST(port.reserve(50'000, 1000) == 50'000u);  // [50 ns, 60 ns)
    BOOST_TEST(port.reserve(10'000, 1000) == 10'000u);  // [10 ns, 20 ns): in the gap
    BOOST_TEST(port.reserve(15'000, 3500) == 60'000u);  // 35 ns from 20 ns would overlap
                                                        // A's booking: after it instead
    BOOST_TEST(port.reserve(20'000, 3000) == 20'000u);  // [20 ns, 50 ns) fits exactly
    BOOST_TEST(port.stats().queued_ps == 45'000u);
  });
  kb::test::run_to_end(driver);
}

BOOST_AUTO_TEST_CASE(a_stream_takes_the_idle_time_others_leave) {
  // Flow fidelity: bookings at [20, 30) and [40, 45) ns; a 30 ns stream of 10 ns entries
  // arriving at 10 ns is served in [10, 20), [30, 40) and [45, 55): first byte at 10 ns,
  // last at 55 ns, and the time it waited between is counted as queueing. The gaps are
  // then full: a later 10 ns request arriving at 10 ns starts at 55 ns.
  set_time_resolution();
  kb::test::Driver driver("driver", [] {
    Resource port(100.0);  // 10 ps per byte
    BOOST_TEST(port.reserve(20'000, 1000) == 20'000u);
    BOOST_TEST(port.reserve(40'000, 500) == 40'000u);
    const Resource::Window w = port.reserve_stream(10'000, 3000, 1000);
    BOOST_TEST(w.begin == 10'000u);
    BOOST_TEST(w.end == 55'000u);
    BOOST_TEST(port.stats().busy_ps == 45'000u);
    BOOST_TEST(port.stats().queued_ps == 15'000u);
    BOOST_TEST(port.reserve(10'000, 1000) == 55'000u);
  });
  kb::test::run_to_end(driver);
}

BOOST_AUTO_TEST_CASE(a_streamed_access_answers_with_its_first_part_and_trails_to_its_last) {
  // Flow fidelity's streaming loads (PeServices::issue_stream_read / issue_stream_write):
  // a write of three 1000-byte parts answers when its first part is written and its tail
  // runs to the last; a streamed read behind it starts when the port is free again, its
  // tail the port's time for all of it. Both say what they would take on an idle port.
  Bench bench;
  kb::test::Driver driver("driver", [&] {
    std::vector<unsigned char> buffer(3000);
    auto streamed = [&](TestInitiator& by, tlm::tlm_command command, std::uint64_t offset) {
      tlm::tlm_generic_payload& p = by.txn.access(command, bench.at(offset), buffer.data(), 3000);
      by.txn.transfer().shape.grain_bytes = 1000;
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
      by.out.transport(0, p, delay);
      BOOST_TEST(p.get_response_status() == tlm::TLM_OK_RESPONSE);
      return to_ps(delay);
    };
    const Picoseconds written = streamed(bench.a, tlm::TLM_WRITE_COMMAND, 0);
    BOOST_TEST(written == 100'000 + hbm_occupancy(1000));
    BOOST_TEST(written + bench.a.txn.transfer().tail_ps == 100'000 + hbm_occupancy(3000));
    const Picoseconds read = streamed(bench.b, tlm::TLM_READ_COMMAND, 4096);
    BOOST_TEST(read == hbm_occupancy(3000) + 100'000);
    BOOST_TEST(bench.b.txn.transfer().tail_ps == hbm_occupancy(3000));
    BOOST_TEST(bench.b.txn.transfer().occupancy_ps == hbm_occupancy(3000));
    BOOST_TEST(bench.b.txn.transfer().path_latency_ps == 100'000u);
  });
  kb::test::run_to_end(driver);
}

BOOST_AUTO_TEST_CASE(a_stream_leaves_gaps_shorter_than_its_entries) {
  // The same bookings, entries of 15 ns: neither 10 ns gap holds one, so the stream goes
  // after the last booking, as its entries would have.
  set_time_resolution();
  kb::test::Driver driver("driver", [] {
    Resource port(100.0);
    port.reserve(20'000, 1000);
    port.reserve(40'000, 500);
    const Resource::Window w = port.reserve_stream(10'000, 3000, 1500);
    BOOST_TEST(w.begin == 45'000u);
    BOOST_TEST(w.end == 75'000u);
    BOOST_TEST(port.reserve(10'000, 1000) == 10'000u);  // the gap it left
  });
  kb::test::run_to_end(driver);
}

BOOST_AUTO_TEST_CASE(a_stream_on_an_idle_resource_is_one_booking) {
  set_time_resolution();
  kb::test::Driver driver("driver", [] {
    Resource port(100.0);
    const Resource::Window w = port.reserve_stream(5'000, 2000, 1000);
    BOOST_TEST(w.begin == 5'000u);
    BOOST_TEST(w.end == 25'000u);
    BOOST_TEST(port.reserve(5'000, 100) == 25'000u);  // right after it: one busy period
    BOOST_TEST(port.stats().transactions == 2u);
  });
  kb::test::run_to_end(driver);
}

BOOST_AUTO_TEST_CASE(sparse_storage_reads_zero_and_allocates_on_write) {
  Bench bench;
  kb::test::Driver driver("driver", [&] {
    std::vector<unsigned char> out(10000, 0xAA);
    bench.a.access(tlm::TLM_READ_COMMAND, bench.at(5000), out.data(), out.size());
    BOOST_TEST(std::all_of(out.begin(), out.end(), [](unsigned char c) { return c == 0; }));
    BOOST_TEST(bench.memory.storage().resident_bytes() == 0u);
    std::vector<unsigned char> zeros(8192, 0);
    bench.a.access(tlm::TLM_WRITE_COMMAND, bench.at(0), zeros.data(), zeros.size());
    BOOST_TEST(bench.memory.storage().resident_bytes() == 0u);
    std::vector<unsigned char> data(6000);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<unsigned char>(i * 7 + 1);
    bench.a.access(tlm::TLM_WRITE_COMMAND, bench.at(4000), data.data(), data.size());
    BOOST_TEST(bench.memory.storage().resident_bytes() == 3u * 4096u);  // pages 0, 1, 2
    std::vector<unsigned char> back(6000);
    bench.b.access(tlm::TLM_READ_COMMAND, bench.at(4000), back.data(), back.size());
    BOOST_TEST(back == data);
  });
  kb::test::run_to_end(driver);
}

BOOST_AUTO_TEST_CASE(byte_enables_and_ranges_are_honoured) {
  Bench bench;
  kb::test::Driver driver("driver", [&] {
    std::vector<unsigned char> ones(8, 0xFF);
    bench.a.access(tlm::TLM_WRITE_COMMAND, bench.at(0), ones.data(), 8);
    std::vector<unsigned char> data(8, 0x11);
    unsigned char enables[2] = {TLM_BYTE_ENABLED, TLM_BYTE_DISABLED};
    tlm::tlm_generic_payload& p =
        bench.a.txn.access(tlm::TLM_WRITE_COMMAND, bench.at(0), data.data(), 8);
    p.set_byte_enable_ptr(enables);
    p.set_byte_enable_length(2);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    bench.a.out.transport(0, p, delay);
    BOOST_TEST(p.is_response_ok());
    std::vector<unsigned char> back(8);
    bench.a.access(tlm::TLM_READ_COMMAND, bench.at(0), back.data(), 8);
    BOOST_TEST(back ==
               (std::vector<unsigned char>{0x11, 0xFF, 0x11, 0xFF, 0x11, 0xFF, 0x11, 0xFF}));

    tlm::tlm_response_status status;
    bench.a.access(tlm::TLM_READ_COMMAND, bench.at((1 << 20) - 4), back.data(), 8, 0, &status);
    BOOST_TEST(status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    bench.a.access(tlm::TLM_READ_COMMAND, bench.memory.base() - 8, back.data(), 8, 0, &status);
    BOOST_TEST(status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  });
  kb::test::run_to_end(driver);
}

BOOST_AUTO_TEST_CASE(debug_access_reads_and_writes_without_time_or_bandwidth) {
  Bench bench;
  kb::test::Driver driver("driver", [&] {
    std::vector<unsigned char> data{1, 2, 3, 4}, back(4, 0);
    bench.a.access(tlm::TLM_WRITE_COMMAND, bench.at(4096 + 10), data.data(), 4);
    const std::uint64_t bytes = bench.memory.port().stats().bytes;
    tlm::tlm_generic_payload& read =
        bench.a.txn.access(tlm::TLM_READ_COMMAND, bench.at(4096 + 10), back.data(), 4);
    BOOST_TEST(bench.a.out.transport_dbg(0, read) == 4u);
    BOOST_TEST(back == data);
    std::vector<unsigned char> poke{9, 9};
    tlm::tlm_generic_payload& write =
        bench.a.txn.access(tlm::TLM_WRITE_COMMAND, bench.at(4096 + 11), poke.data(), 2);
    BOOST_TEST(bench.a.out.transport_dbg(0, write) == 2u);
    BOOST_TEST(bench.memory.port().stats().bytes == bytes);  // no bandwidth used
    BOOST_TEST(sc_core::sc_time_stamp() == sc_core::SC_ZERO_TIME);
    // A timed read sees the poked bytes and pays only its own cost.
    BOOST_TEST(bench.a.access(tlm::TLM_READ_COMMAND, bench.at(4096 + 10), back.data(), 4) ==
               100'000 + 2 * hbm_occupancy(4));  // queued behind the first write's booking
    BOOST_TEST(back == (std::vector<unsigned char>{1, 9, 9, 4}));
    // Past the end: nothing read; a range that runs off the end is cut.
    tlm::tlm_generic_payload& outside =
        bench.a.txn.access(tlm::TLM_READ_COMMAND, bench.memory.base() + (2 << 20), back.data(), 4);
    BOOST_TEST(bench.a.out.transport_dbg(0, outside) == 0u);
    tlm::tlm_generic_payload& tail =
        bench.a.txn.access(tlm::TLM_READ_COMMAND, bench.at((1 << 20) - 2), back.data(), 4);
    BOOST_TEST(bench.a.out.transport_dbg(0, tail) == 2u);
  });
  kb::test::run_to_end(driver);
}

namespace {
// An initiator of another TLM library: a plain socket and a plain generic payload, no
// project extension.
struct ForeignInitiator : sc_core::sc_module {
  explicit ForeignInitiator(const sc_core::sc_module_name& name) : sc_core::sc_module(name) {}
  tlm_utils::simple_initiator_socket<ForeignInitiator> socket{"socket"};

  sc_core::sc_time access(tlm::tlm_command command, std::uint64_t address, unsigned char* data,
                          unsigned length,
                          tlm::tlm_response_status preset = tlm::TLM_INCOMPLETE_RESPONSE) {
    tlm::tlm_generic_payload p;
    p.set_command(command);
    p.set_address(address);
    p.set_data_ptr(data);
    p.set_data_length(length);
    p.set_streaming_width(length);
    p.set_response_status(preset);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    socket->b_transport(p, delay);
    if (p.get_response_status() != tlm::TLM_OK_RESPONSE) throw std::runtime_error("failed");
    return delay;
  }
};
}  // namespace

BOOST_AUTO_TEST_CASE(a_plain_payload_from_another_library_is_served_and_checked) {
  set_time_resolution();
  Memory memory("hbm", hbm_geometry());
  ForeignInitiator foreign("foreign");
  foreign.socket.bind(memory.target.socket);
  kb::test::Driver driver("driver", [&] {
    const std::uint64_t at = memory.base() + 256;
    std::vector<unsigned char> data{5, 6, 7, 8}, back(4, 0);
    // A write completes when its data is in: 100 ns + 4 bytes at 150 GB/s.
    BOOST_TEST(kb::models::to_ps(foreign.access(tlm::TLM_WRITE_COMMAND, at, data.data(), 4)) ==
               100'000 + hbm_occupancy(4));
    foreign.access(tlm::TLM_READ_COMMAND, at, back.data(), 4);
    BOOST_TEST(back == data);
    BOOST_TEST(memory.port().stats().bytes == 8u);
    // The target side holds a foreign initiator to the base protocol too.
    BOOST_CHECK_THROW(
        foreign.access(tlm::TLM_READ_COMMAND, at, back.data(), 4, tlm::TLM_OK_RESPONSE),
        std::logic_error);
  });
  kb::test::run_to_end(driver);
}

BOOST_AUTO_TEST_CASE(protocol_checker_catches_each_violation) {
  set_time_resolution();
  tlm::tlm_generic_payload p;
  unsigned char byte = 0;
  p.set_data_ptr(&byte);
  p.set_data_length(1);
  p.set_streaming_width(1);
  p.set_command(tlm::TLM_READ_COMMAND);
  p.set_response_status(tlm::TLM_OK_RESPONSE);
  BOOST_CHECK_THROW(ProtocolChecker::before("s", p), std::logic_error);  // status preset
  p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  BOOST_CHECK_NO_THROW(ProtocolChecker::before("s", p));
  p.set_streaming_width(2);
  BOOST_CHECK_THROW(ProtocolChecker::before("s", p), std::logic_error);
  p.set_streaming_width(1);
  p.set_data_length(0);
  BOOST_CHECK_THROW(ProtocolChecker::before("s", p), std::logic_error);
  p.set_data_length(1);
  const sc_core::sc_time t10(10, sc_core::SC_NS), t5(5, sc_core::SC_NS);
  BOOST_CHECK_THROW(ProtocolChecker::after("s", p, t5, t10, 0, &byte, 1),
                    std::logic_error);  // incomplete
  p.set_response_status(tlm::TLM_OK_RESPONSE);
  BOOST_CHECK_NO_THROW(ProtocolChecker::after("s", p, t5, t10, 0, &byte, 1));
  BOOST_CHECK_THROW(ProtocolChecker::after("s", p, t10, t5, 0, &byte, 1),
                    std::logic_error);  // delay went back
  BOOST_CHECK_THROW(ProtocolChecker::after("s", p, t5, t10, 8, &byte, 1),
                    std::logic_error);  // address changed
}

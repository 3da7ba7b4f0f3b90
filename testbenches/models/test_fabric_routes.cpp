// The fabric's routes (models/interconnect/fabric.h) are the ways real transactions take:
// for every kind of endpoint pair, on tiny, default and multi-SIP machines joined as a ring,
// by a switch, fully connected and by networks of several levels, one transaction is made in the
// model and the resources that carried its data are compared with the hops route() lists, which are
// the hops the bounds count (runtime/bound/traffic.cpp).
#include "models/common/stats.h"
#include "models/interconnect/fabric.h"
#include "runtime/host/host_program.h"
#include "testbenches/harness/function_program.h"
#include "testbenches/harness/run_host.h"
#include "testbenches/harness/sim_test.h"

#include <fmt/ranges.h>
#include <boost/test/unit_test.hpp>

#include <map>
#include <set>

using namespace kb::runtime;
using kb::models::Endpoint;
using kb::models::EndpointKind;
using kb::models::PhysAddr;
using kb::models::Region;
using kb::platform::Simulation;

namespace {

// Bytes each resource has carried so far.
std::map<std::string, std::uint64_t> bytes_now() {
  std::map<std::string, std::uint64_t> out;
  for (const auto& r : kb::models::stats_registry().resources())
    out[r.path] = r.resource->stats().bytes;
  return out;
}

// The resources whose bytes grew since `before`.
std::set<std::string> grown_since(const std::map<std::string, std::uint64_t>& before) {
  std::set<std::string> out;
  for (const auto& [path, bytes] : bytes_now()) {
    if (bytes != before.at(path)) out.insert(path);
  }
  return out;
}

std::set<std::string> hops_of(const kb::models::Route& r) {
  std::set<std::string> out;
  for (const kb::models::Hop& h : r.hops) out.insert(h.resource);
  return out;
}

PhysAddr address_of(const Endpoint& e) {
  switch (e.kind) {
    case EndpointKind::hbm: return PhysAddr::of(e.sip, e.cube, Region::hbm, e.unit, 4096);
    case EndpointKind::sram: return PhysAddr::of(e.sip, e.cube, Region::sram, 0, 4096);
    default: return PhysAddr::of(e.sip, e.cube, Region::tcm, e.unit, 4096);
  }
}

std::string name(const Endpoint& e) {
  const char* kinds[] = {"pe", "tcm", "hbm", "sram", "m_cpu", "host"};
  return fmt::format("{} sip{}.cube{}.{}", kinds[static_cast<int>(e.kind)], e.sip, e.cube, e.unit);
}

// Every requester PE reads from and writes to every target, one transaction each; then the
// host sends a message to M_CPUs. Each transaction's resources must be its route's hops.
void check_routes(const kb::platform::Topology& topology) {
  Simulation sim(topology);
  const kb::models::Fabric fabric = topology.fabric();
  const auto sips = static_cast<std::uint32_t>(topology.system.sips.count);
  const auto cubes = static_cast<std::uint32_t>(topology.cubes_per_sip());
  const auto pes = static_cast<std::uint32_t>(topology.pes_per_cube());
  const auto slices = static_cast<std::uint32_t>(topology.cube.memory_map.hbm_slices_per_cube);
  const std::vector<Endpoint> requesters{{EndpointKind::pe, 0, 0, 0},
                                         {EndpointKind::pe, sips - 1, cubes - 1, pes - 1}};
  std::vector<Endpoint> targets;
  for (std::uint32_t s : std::set<std::uint32_t>{0, sips / 2, sips - 1}) {
    for (std::uint32_t c : std::set<std::uint32_t>{0, fabric.io_cube(), cubes / 2, cubes - 1}) {
      targets.push_back({EndpointKind::hbm, s, c, slices - 1});
      targets.push_back({EndpointKind::sram, s, c, 0});
      targets.push_back({EndpointKind::tcm, s, c, (pes + 1) / 2 % pes});
    }
  }
  int checked = 0;
  kb::test::run_host(sim, [&](RuntimeContext& ctx) {
    for (const Endpoint& from : requesters) {
      auto transfer = [&](KernelContext& k) {
        std::vector<unsigned char> buffer(256);
        for (const Endpoint& to : targets) {
          if (to.kind == EndpointKind::tcm && to.sip == from.sip && to.cube == from.cube &&
              to.unit == from.unit) {
            continue;  // a PE's own TCM is reached without the fabric
          }
          for (bool write : {false, true}) {
            kb::models::Access access =
                kb::models::Access::contiguous(address_of(to).encode(), 256);
            access.physical = true;
            const auto before = bytes_now();
            k.pe().wait_until(write ? k.pe().issue_write(access, buffer.data())
                                    : k.pe().issue_read(access, buffer.data()));
            const auto crossed = grown_since(before);
            const auto expected = hops_of(kb::models::route(fabric, from, to, write));
            BOOST_TEST((crossed == expected),
                       (write ? "write " : "read ")
                           << name(from) << " -> " << name(to) << ": crossed "
                           << fmt::format("{}", fmt::join(crossed, " ")) << "; route "
                           << fmt::format("{}", fmt::join(expected, " ")));
            ++checked;
          }
        }
      };
      ctx.launch("routes", transfer, {},
                 Launch::on_pes(PeScope::of({{from.sip, from.cube, from.unit}})));
    }
    // The host's control messages to M_CPUs, each on its own.
    for (std::uint32_t s : std::set<std::uint32_t>{0, sips - 1}) {
      for (std::uint32_t c : std::set<std::uint32_t>{0, cubes - 1}) {
        const auto before = bytes_now();
        const Handle h = ctx.submit(kb::test::message(kb::models::MmuUnmap{}), {{s, c}},
                                    TraceEntry{"mmu_unmap", "none", s, c, std::nullopt, 0});
        const auto crossed = grown_since(before);
        const auto expected = hops_of(kb::models::route(fabric, {EndpointKind::host, 0, 0, 0},
                                                        {EndpointKind::m_cpu, s, c, 0}, true));
        BOOST_TEST((crossed == expected), "host -> m_cpu sip" << s << ".cube" << c);
        ctx.wait(h);
        ++checked;
      }
    }
  });
  BOOST_TEST(checked > 0);
}

}  // namespace

BOOST_AUTO_TEST_CASE(routes_are_the_ways_transactions_take_on_tiny) {
  check_routes(kb::test::config("tiny.yaml"));
}

BOOST_AUTO_TEST_CASE(routes_are_the_ways_transactions_take_on_default) {
  check_routes(kb::test::config("topology.yaml", {"sip.io_cube.x=2", "sip.io_cube.y=1"}));
}

BOOST_AUTO_TEST_CASE(routes_are_the_ways_transactions_take_on_a_ring) {
  check_routes(kb::test::config("multi_sip.yaml", {"system.sips.count=5"}));
}

BOOST_AUTO_TEST_CASE(routes_are_the_ways_transactions_take_through_a_switch) {
  check_routes(kb::test::config("multi_sip.yaml", {"system.inter_sip.topology=switch"}));
}

BOOST_AUTO_TEST_CASE(routes_are_the_ways_transactions_take_fully_connected) {
  check_routes(kb::test::config("multi_sip.yaml", {"system.inter_sip.topology=fully_connected"}));
}

BOOST_AUTO_TEST_CASE(routes_are_the_ways_transactions_take_over_two_levels) {
  // 3 x 4 SIPs: a ring inside each node, a switch per rail across them.
  check_routes(kb::test::config(
      "two_level.yaml", {"system.inter_sip.levels.0.size=3", "system.inter_sip.levels.1.size=4"}));
}

BOOST_AUTO_TEST_CASE(routes_are_the_ways_transactions_take_over_three_levels) {
  // 2 x 3 x 2 SIPs: ring, fully connected, switch.
  check_routes(kb::test::config(
      "three_level.yaml", {"system.inter_sip.levels.0.size=2", "system.inter_sip.levels.1.size=3",
                           "system.inter_sip.levels.2.size=2"}));
}

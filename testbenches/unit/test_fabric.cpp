#define BOOST_TEST_MODULE fabric
// The fabric's inter-SIP links and ways over them, on every topology and several sizes,
// without a simulation: each link found by its index is the one the full list holds, the
// links of a SIP are those that end there, and the way from any SIP to any other crosses
// linked ends, as many links as the topology says; a route's figures are its hops'.
#include "models/interconnect/fabric.h"

#include <fmt/format.h>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

using namespace kb::models;

namespace {

// A machine of `levels`, innermost first: (topology, size, link latency).
Fabric fabric(const std::vector<std::tuple<InterSipTopology, std::uint32_t, double>>& levels) {
  Fabric f;
  f.sips = 1;
  for (const auto& [t, size, latency] : levels) {
    f.levels.push_back({t, size, f.sips, {latency, 100.0 / f.sips}});
    f.sips *= size;
  }
  f.mesh_w = 4;
  f.mesh_h = 4;
  f.io_x = 1;
  f.router = {1.0, 2, 128.0};
  f.mesh_link = {10.0, 256.0};
  f.host_link = {1000.0, 64.0};
  f.hbm_slice = {100.0, 150.0};
  f.sram = {20.0, 256.0};
  f.tcm_gbps = 512.0;
  return f;
}

Fabric fabric(InterSipTopology t, std::uint32_t sips) { return fabric({{t, sips, 500.0}}); }

// Links crossed from `from` to `to`, following next_sip_link.
std::size_t hops(const Fabric& f, std::uint32_t from, std::uint32_t to) {
  std::size_t n = 0;
  for (std::uint32_t here = from; here != to; ++n) {
    BOOST_REQUIRE(n <= f.sips);  // a way that never arrives
    const SipStep step = next_sip_link(f, here, to);
    const SipLink link = sip_link(f, step.link);
    BOOST_REQUIRE((step.a_to_b ? link.a : link.b) == here);  // it leaves from here
    here = step.a_to_b ? link.b : link.a;
    if (here == kSwitchEnd) {
      const SipStep down = next_switch_link(f, {link.level, link.group}, to);
      BOOST_REQUIRE(!down.a_to_b);
      const SipLink second = sip_link(f, down.link);
      BOOST_REQUIRE(second.level == link.level);  // the same switch
      BOOST_REQUIRE(second.group == link.group);
      here = second.a;
      ++n;
    }
  }
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(links_and_ways_on_every_topology) {
  for (InterSipTopology t : kInterSipTopologies) {
    for (std::uint32_t n : {1U, 2U, 3U, 5U, 8U, 33U}) {
      const Fabric f = fabric(t, n);
      const std::vector<SipLink> all = sip_links(f);
      BOOST_TEST(all.size() == sip_link_count(f));
      std::set<std::string> names;
      for (std::size_t i = 0; i < all.size(); ++i) {
        const SipLink one = sip_link(f, i);
        BOOST_TEST(one.name == all[i].name);
        BOOST_TEST(one.a == all[i].a);
        BOOST_TEST(one.b == all[i].b);
        names.insert(one.name);
      }
      BOOST_TEST(names.size() == all.size());
      for (std::uint32_t s = 0; s < n; ++s) {
        std::vector<std::size_t> ending;
        for (std::size_t i = 0; i < all.size(); ++i)
          if (all[i].a == s || all[i].b == s) ending.push_back(i);
        std::vector<std::size_t> of = sip_links_of(f, s);
        std::sort(of.begin(), of.end());
        BOOST_TEST(of == ending, to_string(t) << " " << n << " SIPs, SIP " << s);
        for (std::uint32_t d = 0; d < n; ++d) {
          if (d == s) continue;
          const std::uint32_t ahead = (d + n - s) % n;
          const std::size_t expected = t == InterSipTopology::ring ? std::min(ahead, n - ahead)
                                       : t == InterSipTopology::switched ? 2
                                                                         : 1;
          BOOST_TEST(hops(f, s, d) == expected, to_string(t) << " " << s << " -> " << d);
        }
      }
    }
  }
}

// Links of a multi-level machine: each found by index as listed, named once, ending where
// sip_links_of says; every way corrects the digits level by level (lowest first), as many
// links as each level's topology takes; each switch joins one group; a route's latency is
// its links'.
BOOST_AUTO_TEST_CASE(links_and_ways_over_several_levels) {
  using T = InterSipTopology;
  const Fabric f =
      fabric({{T::ring, 4, 100.0}, {T::switched, 3, 1000.0}, {T::fully_connected, 2, 5000.0}});
  BOOST_TEST(f.sips == 24u);
  const std::vector<SipLink> all = sip_links(f);
  BOOST_TEST(all.size() == 6 * 4 + 8 * 3 + 12 * 1u);
  BOOST_TEST(sip_link_count(f) == all.size());
  std::set<std::string> names;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const SipLink one = sip_link(f, i);
    BOOST_TEST(one.name == all[i].name);
    BOOST_TEST(one.name.rfind(fmt::format("level{}_", one.level), 0) == 0u, one.name);
    names.insert(one.name);
    // The ends differ in the link's level's digit alone.
    const std::uint32_t stride = f.levels[one.level].stride, size = f.levels[one.level].size;
    if (one.b != kSwitchEnd) {
      BOOST_TEST(one.a / stride % size != one.b / stride % size);
      BOOST_TEST(one.a % stride == one.b % stride);
      BOOST_TEST(one.a / (stride * size) == one.b / (stride * size));
    }
  }
  BOOST_TEST(names.size() == all.size());
  const std::vector<SwitchId> ids = switches(f);
  BOOST_TEST(ids.size() == 8u);  // one per group of level 1: 24 / 3
  for (const SwitchId id : ids) {
    BOOST_TEST(id.level == 1u);
    const std::vector<std::size_t> ports = switch_links(f, id);
    BOOST_TEST(ports.size() == 3u);
    for (std::uint32_t p = 0; p < ports.size(); ++p) {
      const SipLink link = sip_link(f, ports[p]);
      BOOST_TEST(link.b == kSwitchEnd);
      BOOST_TEST(link.a / 4 % 3 == p);  // port p: the group's SIP of level-1 digit p
      BOOST_TEST(link.group == id.group);
    }
  }
  for (std::uint32_t s = 0; s < f.sips; ++s) {
    std::vector<std::size_t> ending;
    for (std::size_t i = 0; i < all.size(); ++i)
      if (all[i].a == s || all[i].b == s) ending.push_back(i);
    std::vector<std::size_t> of = sip_links_of(f, s);
    std::sort(of.begin(), of.end());
    BOOST_TEST(of == ending, "SIP " << s);
    for (std::uint32_t d = 0; d < f.sips; ++d) {
      if (d == s) continue;
      const std::uint32_t ahead = (d % 4 + 4 - s % 4) % 4;
      const std::size_t expected = std::min(ahead, 4 - ahead) + (s / 4 % 3 != d / 4 % 3 ? 2 : 0) +
                                   (s / 12 != d / 12 ? 1 : 0);
      BOOST_TEST(hops(f, s, d) == expected, s << " -> " << d);
      const Route r = route(f, {EndpointKind::pe, s, 0, 0}, {EndpointKind::pe, d, 0, 0}, true);
      double links = 0;
      for (const Hop& h : r.hops) {
        if (std::string(h.term) == "inter_sip_link")
          links += h.resource.find("level2_") != std::string::npos   ? 5000.0
                   : h.resource.find("level1_") != std::string::npos ? 1000.0
                                                                     : 100.0;
      }
      BOOST_TEST(r.latency_ns >= links);
      BOOST_TEST(r.latency_ns < links + 100.0);  // the rest: router passes and mesh links
    }
  }
  // Every level's links count in a SIP's egress: two ring links, a switch uplink, one
  // direct link, each at its level's bandwidth (100, 25 and 8.33 GB/s).
  BOOST_TEST(sip_egress_gbps(f, 23) == 2 * 100.0 + 100.0 / 4 + 100.0 / 12,
             boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(a_paths_figures_are_its_routes) {
  const Fabric f = fabric(InterSipTopology::ring, 6);
  for (const auto& [a, b] : std::vector<std::pair<Endpoint, Endpoint>>{
           {{EndpointKind::pe, 0, 0, 0}, {EndpointKind::pe, 0, 0, 1}},
           {{EndpointKind::pe, 0, 5, 3}, {EndpointKind::pe, 0, 10, 7}},
           {{EndpointKind::pe, 1, 15, 0}, {EndpointKind::pe, 4, 3, 2}}}) {
    const Route r = route(f, a, b, true);
    const PathFigures p = path_figures(f, a, b);
    double narrowest = INFINITY;
    for (const Hop& h : r.hops) narrowest = std::min(narrowest, h.gbps);
    BOOST_TEST(p.latency_ns == r.latency_ns);
    BOOST_TEST(p.narrowest_gbps == narrowest);
  }
  // SIP 1 to SIP 4 of six: three ring links, 500 ns each, at 100 GB/s.
  const PathFigures far =
      path_figures(f, {EndpointKind::pe, 1, 15, 0}, {EndpointKind::pe, 4, 3, 2});
  BOOST_TEST(far.narrowest_gbps == 100.0);
  BOOST_TEST(far.latency_ns >= 3 * 500.0);
}

#define BOOST_TEST_MODULE fabric
// The fabric's inter-SIP links and ways over them, on every topology and several sizes,
// without a simulation: each link found by its index is the one the full list holds, the
// links of a SIP are those that end there, and the way from any SIP to any other crosses
// linked ends, as many links as the topology says; a route's figures are its hops'.
#include "models/interconnect/fabric.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <set>

using namespace kb::models;

namespace {

Fabric fabric(InterSipTopology t, std::uint32_t sips) {
  Fabric f;
  f.sips = sips;
  f.mesh_w = 4;
  f.mesh_h = 4;
  f.io_x = 1;
  f.inter_sip = t;
  f.router = {1.0, 2, 128.0};
  f.mesh_link = {10.0, 256.0};
  f.inter_sip_link = {500.0, 100.0};
  f.host_link = {1000.0, 64.0};
  f.hbm_slice = {100.0, 150.0};
  f.sram = {20.0, 256.0};
  f.tcm_gbps = 512.0;
  return f;
}

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
      const SipStep down = next_sip_link(f, kSwitchEnd, to);
      here = sip_link(f, down.link).a;
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

#pragma once
// The fabric's routes, defined once: which resources data crosses between two endpoints,
// with each one's bandwidth, and the one-way latency of the way. The routers take their
// next hop from here (CubeRouter: mesh_step; SipIo and SipSwitch: next_sip_link), the
// system builds the inter-SIP links listed here, the bounds count the hops of route()
// (runtime/bound/traffic.cpp), and the collectives' alpha-beta terms add up its latencies
// and narrowest bandwidth (runtime/ccl/collective_fabric.cpp). An inter-SIP topology is
// its case in sip_links() and next_sip_link(); nothing else names one.
// Without SystemC: the runtime's bounds use it too.

#include "models/common/port_attrs.h"
#include "models/cube/cube_router_attrs.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kb::models {

enum class InterSipTopology { ring, fully_connected, switched };
constexpr InterSipTopology kInterSipTopologies[] = {
    InterSipTopology::ring, InterSipTopology::fully_connected, InterSipTopology::switched};
// The topology file's spelling: "ring", "fully_connected", "switch".
const char* to_string(InterSipTopology topology);
std::optional<InterSipTopology> parse_inter_sip_topology(std::string_view name);

enum class MeshDirection : unsigned { north = 0, east = 1, south = 2, west = 3 };
const char* to_string(MeshDirection d);

// One level (dimension) of the inter-SIP network: `size` SIPs joined by `topology`, their
// links `link` each (the level's parallel links per SIP taken together). SIP s's digit at
// level l is (s / stride) % size, stride the product of the sizes below; the SIPs that
// differ only in that digit form one of the level's groups, joined as the level says.
// One level of every SIP is the single inter-SIP network of old.
struct NetworkLevel {
  InterSipTopology topology = InterSipTopology::ring;
  std::uint32_t size = 1;
  std::uint32_t stride = 1;
  PortAttrs link;
};

// What routing needs of the machine.
struct Fabric {
  std::uint32_t sips = 1;
  std::uint32_t mesh_w = 1, mesh_h = 1;
  std::uint32_t io_x = 0, io_y = 0;  // the cube beside the SIP's I/O port
  std::vector<NetworkLevel> levels;  // innermost (fastest-varying SIP digit) first
  CubeRouterAttrs router;
  PortAttrs mesh_link, host_link, hbm_slice, sram;
  double tcm_gbps = 0;  // a PE's TCM port, reached from the fabric

  std::uint32_t io_cube() const { return io_y * mesh_w + io_x; }
  // One pass through a cube router.
  double router_pass_ns() const {
    return static_cast<double>(router.hop_latency_cycles) / router.freq_ghz;
  }
};

// XY routing in a mesh `mesh_w` cubes wide: the direction data at cube `here` leaves by
// towards cube `to` (x first, then y; y grows south). `here` != `to`.
MeshDirection mesh_step(std::uint32_t mesh_w, std::uint32_t here, std::uint32_t to);

// The switch of one group of a `switch` level.
struct SwitchId {
  std::uint32_t level = 0, group = 0;
};
// An inter-SIP link, `system.<name>`: end a is a SIP, end b a SIP or its level group's
// switch (b == kSwitchEnd).
constexpr std::uint32_t kSwitchEnd = ~0U;
struct SipLink {
  std::string name;
  std::uint32_t a = 0, b = 0;
  std::uint32_t level = 0, group = 0;
};
// The inter-SIP links of the machine, level by level and group by group, in the order the
// system builds them (none for one SIP). One level keeps the plain names: ring
// sip_link<s>_<s+1>; fully connected sip_link<a>_<b> for a < b; switch switch_link<s>, SIP
// s to the switch. Several levels prefix the level (level1_sip_link0_8) and number each
// group's switch (level1_switch3_link8). Link `index` alone, and the indices of the links
// that end at SIP `sip`, without listing the others (a fully connected level of n SIPs
// has n (n - 1) / 2 a group).
std::size_t sip_link_count(const Fabric& f);
SipLink sip_link(const Fabric& f, std::size_t index);
std::vector<SipLink> sip_links(const Fabric& f);
std::vector<std::size_t> sip_links_of(const Fabric& f, std::uint32_t sip);
// The switches of the machine (a group of each switch level), their names (`sip_switch`
// for one level) and, port by port, the links that end there (port i: the group's i-th SIP).
std::vector<SwitchId> switches(const Fabric& f);
std::string switch_name(const Fabric& f, SwitchId id);
std::vector<std::size_t> switch_links(const Fabric& f, SwitchId id);
// The link data at SIP `here` leaves by towards SIP `to` (!= here), and whether it crosses
// it from end a to end b. Dimension order: the lowest level whose digit differs, inside
// that level's group: ring the shorter way round, ties to the next SIP; fully connected the
// direct link; switch up to the switch (then next_switch_link down).
struct SipStep {
  std::size_t link = 0;
  bool a_to_b = true;
};
SipStep next_sip_link(const Fabric& f, std::uint32_t here, std::uint32_t to);
SipStep next_switch_link(const Fabric& f, SwitchId at, std::uint32_t to);
// The bandwidth one SIP's traffic to `peers` other SIPs can leave it by at once under
// this routing, over every level: the two ring neighbours, a direct link per peer, or the
// switch uplink, each at its level's bandwidth.
double sip_egress_gbps(const Fabric& f, double peers);

// An endpoint of a transfer: a PE (its router port: its IPCQ and control registers), PE
// `unit`'s TCM, HBM slice `unit`, the cube's SRAM, its M_CPU, or the host.
enum class EndpointKind { pe, tcm, hbm, sram, m_cpu, host };
struct Endpoint {
  EndpointKind kind = EndpointKind::pe;
  std::uint32_t sip = 0, cube = 0, unit = 0;
};

// A resource data crosses: the statistics path of the model's resource (its direction's),
// the bound term that counts it, and its bandwidth.
struct Hop {
  std::string resource;  // "system.sip0.cube1.router.pe3.in", "system.sip0.link_cube0_cube1.a_to_b"
  const char* term;      // "pe_port", "mesh_link", "inter_sip_link", "hbm_slice", "tcm", ...
  double gbps = 0;
};
struct Route {
  std::vector<Hop> hops;  // in the order the data crosses them
  double latency_ns = 0;  // one way: router passes and links, no memory
};

// The way data takes when `requester` reads from (`write` false) or writes to `target`:
// the requester's request runs XY over the mesh to its SIP's I/O cube, over the inter-SIP
// links, and XY to the target; read data returns along the same resources the other way.
// The host requests from a cube's M_CPU over its host link.
Route route(const Fabric& f, const Endpoint& requester, const Endpoint& target, bool write);
// The same way's hops with their terms and bandwidths and its latency, their resources
// left unnamed: naming is most of a route's cost, and congruence (runtime/ccl/bundle.h)
// compares every rank's routes without it.
Route route_shape(const Fabric& f, const Endpoint& requester, const Endpoint& target, bool write);

// The same way's one-way latency and narrowest bandwidth, without naming its resources
// (the collectives' alpha-beta terms ask for every pair of exchanging ranks).
struct PathFigures {
  double latency_ns = 0;
  double narrowest_gbps = 0;
};
PathFigures path_figures(const Fabric& f, const Endpoint& requester, const Endpoint& target);

}  // namespace kb::models

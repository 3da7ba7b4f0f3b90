#include "models/interconnect/fabric.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace kb::models {

const char* to_string(InterSipTopology topology) {
  switch (topology) {
    case InterSipTopology::ring: return "ring";
    case InterSipTopology::fully_connected: return "fully_connected";
    case InterSipTopology::switched: return "switch";
  }
  return "?";
}

std::optional<InterSipTopology> parse_inter_sip_topology(std::string_view name) {
  for (InterSipTopology t : kInterSipTopologies) {
    if (name == to_string(t)) return t;
  }
  return std::nullopt;
}

const char* to_string(MeshDirection d) {
  switch (d) {
    case MeshDirection::north: return "north";
    case MeshDirection::east: return "east";
    case MeshDirection::south: return "south";
    case MeshDirection::west: return "west";
  }
  return "?";
}

MeshDirection mesh_step(std::uint32_t mesh_w, std::uint32_t here, std::uint32_t to) {
  const std::uint32_t x = here % mesh_w, y = here / mesh_w;
  const std::uint32_t tx = to % mesh_w, ty = to / mesh_w;
  if (tx != x) return tx > x ? MeshDirection::east : MeshDirection::west;
  return ty > y ? MeshDirection::south : MeshDirection::north;
}

namespace {

// The index of fully connected link (a, b), a < b, among a group's links.
std::size_t pair_link(std::uint32_t n, std::uint32_t a, std::uint32_t b) {
  const std::size_t sa = a;
  return sa * n - sa * (sa + 1) / 2 + (b - a - 1);
}

// The links of one group of `n` SIPs joined by `t`.
std::size_t group_link_count(InterSipTopology t, std::uint32_t n) {
  if (n < 2) return 0;
  return t == InterSipTopology::fully_connected ? std::size_t{n} * (n - 1) / 2 : n;
}

// The ends (a, b) of a group's link `index`, as digits in the group; b kSwitchEnd for a
// switch uplink.
std::pair<std::uint32_t, std::uint32_t> group_link_ends(InterSipTopology t, std::uint32_t n,
                                                        std::size_t index) {
  const auto i = static_cast<std::uint32_t>(index);
  switch (t) {
    case InterSipTopology::ring: return {i, (i + 1) % n};
    case InterSipTopology::fully_connected: {
      // The row of pairs (a, a + 1 ..) holding `index`: row a starts at a n - a (a + 1) / 2,
      // the root of that quadratic, then corrected for the floating point's rounding.
      const double m = 2.0 * n - 1;
      auto a = static_cast<std::uint32_t>(
          std::max(0.0, std::floor((m - std::sqrt(m * m - 8.0 * static_cast<double>(index))) / 2)));
      while (a > 0 && pair_link(n, a, a + 1) > index) --a;
      while (a + 2 < n && pair_link(n, a + 1, a + 2) <= index) ++a;
      return {a, static_cast<std::uint32_t>(index - pair_link(n, a, a + 1) + a + 1)};
    }
    case InterSipTopology::switched: return {i, kSwitchEnd};
  }
  return {};
}

// The group's links that end at digit `d`.
std::vector<std::size_t> group_links_of(InterSipTopology t, std::uint32_t n, std::uint32_t d) {
  if (n < 2) return {};
  switch (t) {
    case InterSipTopology::ring:
      if (n == 2) return {0, 1};  // both links join the two SIPs
      return {(d + n - 1) % n, d};
    case InterSipTopology::fully_connected: {
      std::vector<std::size_t> out;
      for (std::uint32_t other = 0; other < n; ++other) {
        if (other != d) out.push_back(pair_link(n, std::min(d, other), std::max(d, other)));
      }
      return out;
    }
    case InterSipTopology::switched: return {d};
  }
  return {};
}

// The group's link digit `here` leaves by towards digit `to`.
SipStep group_step(InterSipTopology t, std::uint32_t n, std::uint32_t here, std::uint32_t to) {
  switch (t) {
    case InterSipTopology::ring: {
      const std::uint32_t ahead = (to + n - here) % n;
      if (ahead <= n / 2) return {here, true};  // link `here` runs to here + 1
      return {(here + n - 1) % n, false};       // link here - 1 runs from here - 1 to here
    }
    case InterSipTopology::fully_connected:
      return {pair_link(n, std::min(here, to), std::max(here, to)), here < to};
    case InterSipTopology::switched: return {here, true};
  }
  return {};
}

std::uint32_t digit(const NetworkLevel& l, std::uint32_t sip) { return sip / l.stride % l.size; }
std::uint32_t group_of(const NetworkLevel& l, std::uint32_t sip) {
  return sip / (l.stride * l.size) * l.stride + sip % l.stride;
}
std::uint32_t member(const NetworkLevel& l, std::uint32_t group, std::uint32_t d) {
  return group / l.stride * l.stride * l.size + d * l.stride + group % l.stride;
}
std::size_t links_per_group(const NetworkLevel& l) { return group_link_count(l.topology, l.size); }

// The index of the first link of level `level`.
std::size_t level_base(const Fabric& f, std::size_t level) {
  std::size_t base = 0;
  for (std::size_t l = 0; l < level; ++l)
    base += f.sips / f.levels[l].size * links_per_group(f.levels[l]);
  return base;
}

std::size_t link_index(const Fabric& f, std::uint32_t level, std::uint32_t group,
                       std::size_t local) {
  return level_base(f, level) + group * links_per_group(f.levels[level]) + local;
}

// Link `index` without its name: its ends as SIPs, its level and group.
SipLink link_ends(const Fabric& f, std::size_t index) {
  for (std::uint32_t level = 0; level < f.levels.size(); ++level) {
    const NetworkLevel& l = f.levels[level];
    const std::size_t all = f.sips / l.size * links_per_group(l);
    if (index >= all) {
      index -= all;
      continue;
    }
    const auto group = static_cast<std::uint32_t>(index / links_per_group(l));
    const auto [a, b] = group_link_ends(l.topology, l.size, index % links_per_group(l));
    return {
        {}, member(l, group, a), b == kSwitchEnd ? kSwitchEnd : member(l, group, b), level, group};
  }
  return {};
}

}  // namespace

std::size_t sip_link_count(const Fabric& f) { return level_base(f, f.levels.size()); }

SipLink sip_link(const Fabric& f, std::size_t index) {
  SipLink link = link_ends(f, index);
  const std::string level = f.levels.size() == 1 ? "" : fmt::format("level{}_", link.level);
  if (link.b == kSwitchEnd) {
    link.name = f.levels.size() == 1 ? fmt::format("switch_link{}", link.a)
                                     : fmt::format("{}switch{}_link{}", level, link.group, link.a);
  } else {
    link.name = fmt::format("{}sip_link{}_{}", level, link.a, link.b);
  }
  return link;
}

std::vector<SipLink> sip_links(const Fabric& f) {
  std::vector<SipLink> links;
  for (std::size_t i = 0; i < sip_link_count(f); ++i) links.push_back(sip_link(f, i));
  return links;
}

std::vector<std::size_t> sip_links_of(const Fabric& f, std::uint32_t sip) {
  std::vector<std::size_t> out;
  for (std::uint32_t level = 0; level < f.levels.size(); ++level) {
    const NetworkLevel& l = f.levels[level];
    for (std::size_t local : group_links_of(l.topology, l.size, digit(l, sip)))
      out.push_back(link_index(f, level, group_of(l, sip), local));
  }
  return out;
}

std::vector<SwitchId> switches(const Fabric& f) {
  std::vector<SwitchId> out;
  for (std::uint32_t level = 0; level < f.levels.size(); ++level) {
    const NetworkLevel& l = f.levels[level];
    if (l.topology != InterSipTopology::switched || l.size < 2) continue;
    for (std::uint32_t g = 0; g < f.sips / l.size; ++g) out.push_back({level, g});
  }
  return out;
}

std::string switch_name(const Fabric& f, SwitchId id) {
  return f.levels.size() == 1 ? "sip_switch" : fmt::format("level{}_switch{}", id.level, id.group);
}

std::vector<std::size_t> switch_links(const Fabric& f, SwitchId id) {
  std::vector<std::size_t> out;
  for (std::uint32_t d = 0; d < f.levels[id.level].size; ++d)
    out.push_back(link_index(f, id.level, id.group, d));
  return out;
}

SipStep next_sip_link(const Fabric& f, std::uint32_t here, std::uint32_t to) {
  for (std::uint32_t level = 0; level < f.levels.size(); ++level) {
    const NetworkLevel& l = f.levels[level];
    const std::uint32_t from = digit(l, here), towards = digit(l, to);
    if (from == towards) continue;
    const SipStep step = group_step(l.topology, l.size, from, towards);
    return {link_index(f, level, group_of(l, here), step.link), step.a_to_b};
  }
  return {};
}

SipStep next_switch_link(const Fabric& f, SwitchId at, std::uint32_t to) {
  return {link_index(f, at.level, at.group, digit(f.levels[at.level], to)), false};
}

double sip_egress_gbps(const Fabric& f, double peers) {
  double gbps = 0;
  for (const NetworkLevel& l : f.levels) {
    const double others = static_cast<double>(l.size) - 1;
    double links = 1;
    switch (l.topology) {
      case InterSipTopology::ring: links = std::min(2.0, others); break;
      case InterSipTopology::fully_connected: links = std::min(peers, others); break;
      case InterSipTopology::switched: links = others > 0 ? 1 : 0; break;
    }
    gbps += links * l.link.bw_gbps;
  }
  return gbps;
}

namespace {

const char* port_term(EndpointKind kind) {
  switch (kind) {
    case EndpointKind::pe:
    case EndpointKind::tcm: return "pe_port";
    case EndpointKind::hbm: return "hbm_port";
    case EndpointKind::sram: return "sram_port";
    case EndpointKind::m_cpu: return "m_cpu_port";
    case EndpointKind::host: return "host_link";
  }
  return "?";
}

std::string port_role(const Endpoint& e) {
  switch (e.kind) {
    case EndpointKind::pe:
    case EndpointKind::tcm: return fmt::format("pe{}", e.unit);
    case EndpointKind::hbm: return fmt::format("hbm{}", e.unit);
    case EndpointKind::sram: return "sram";
    case EndpointKind::m_cpu: return "m_cpu";
    case EndpointKind::host: return "host";
  }
  return "?";
}

// Builds a route in the request's direction, naming each resource for the data's (unless
// only its figures are wanted).
class RouteBuilder {
 public:
  RouteBuilder(const Fabric& f, bool write, bool named) : f_(f), write_(write), named_(named) {}

  // The router port of endpoint `e` at its cube; the request leaves the device into the
  // router when `from_device`.
  void router_port(const Endpoint& e, bool from_device) {
    // Data runs with the request on a write, against it on a read.
    const bool into_router = from_device == write_;
    add(named_ ? fmt::format("system.sip{}.cube{}.router.{}.{}", e.sip, e.cube, port_role(e),
                             into_router ? "in" : "out")
               : std::string(),
        port_term(e.kind), f_.router.bw_gbps);
  }
  // Link `name` (a function making it, called only for a named route) crossed by the
  // request from end a to end b (`a_to_b`) or back.
  template <class Name>
  void link(const Name& name, bool a_to_b, const char* term, const PortAttrs& attrs) {
    add(named_ ? fmt::format("system.{}.{}", name(), a_to_b == write_ ? "a_to_b" : "b_to_a")
               : std::string(),
        term, attrs.bw_gbps);
    r_.latency_ns += attrs.latency_ns;
  }
  // XY over SIP `sip`'s mesh from cube `from` to cube `to`, each hop a link and the next
  // router's pass.
  void mesh(std::uint32_t sip, std::uint32_t from, std::uint32_t to) {
    for (std::uint32_t here = from; here != to;) {
      std::uint32_t next = here;
      switch (mesh_step(f_.mesh_w, here, to)) {
        case MeshDirection::east: next = here + 1; break;
        case MeshDirection::west: next = here - 1; break;
        case MeshDirection::south: next = here + f_.mesh_w; break;
        case MeshDirection::north: next = here - f_.mesh_w; break;
      }
      link(
          [&] {
            return fmt::format("sip{}.link_cube{}_cube{}", sip, std::min(here, next),
                               std::max(here, next));
          },
          here < next, "mesh_link", f_.mesh_link);
      pass();
      here = next;
    }
  }
  void pass() { r_.latency_ns += f_.router_pass_ns(); }
  void memory(const std::string& resource, const char* term, double gbps) {
    add(resource, term, gbps);
  }
  bool named() const { return named_; }
  Route finish() {
    if (!write_) std::reverse(r_.hops.begin(), r_.hops.end());
    return std::move(r_);
  }

 private:
  void add(std::string resource, const char* term, double gbps) {
    r_.hops.push_back({std::move(resource), term, gbps});
  }
  const Fabric& f_;
  bool write_;
  bool named_;
  Route r_;
};

}  // namespace

namespace {

Route build_route(const Fabric& f, const Endpoint& requester, const Endpoint& target, bool write,
                  bool named) {
  RouteBuilder r(f, write, named);
  std::uint32_t cube = 0;  // where the request is on its SIP's mesh
  if (requester.kind == EndpointKind::host) {
    r.link([&] { return fmt::format("host_link{}", target.sip); }, true, "host_link", f.host_link);
    r.pass();  // the I/O cube's router
    cube = f.io_cube();
  } else {
    r.router_port(requester, true);
    r.pass();
    cube = requester.cube;
    if (target.kind == EndpointKind::host) {
      r.mesh(requester.sip, cube, f.io_cube());
      r.link([&] { return fmt::format("host_link{}", requester.sip); }, false, "host_link",
             f.host_link);
      return r.finish();
    }
    if (requester.sip != target.sip) {
      r.mesh(requester.sip, cube, f.io_cube());
      for (std::uint32_t here = requester.sip; here != target.sip;) {
        SipStep step = next_sip_link(f, here, target.sip);
        SipLink ends = link_ends(f, step.link);
        const PortAttrs& level = f.levels[ends.level].link;
        r.link([&] { return sip_link(f, step.link).name; }, step.a_to_b, "inter_sip_link", level);
        if (ends.b == kSwitchEnd) {  // up to the group's switch, and down from it
          step = next_switch_link(f, {ends.level, ends.group}, target.sip);
          ends = link_ends(f, step.link);
          r.link([&] { return sip_link(f, step.link).name; }, false, "inter_sip_link", level);
        }
        here = step.a_to_b ? ends.b : ends.a;
      }
      r.pass();  // the target SIP's I/O cube's router
      cube = f.io_cube();
    }
  }
  r.mesh(target.sip, cube, target.cube);
  r.router_port(target, false);
  const std::string at =
      r.named() ? fmt::format("system.sip{}.cube{}", target.sip, target.cube) : std::string();
  if (target.kind == EndpointKind::hbm) {
    r.memory(r.named() ? fmt::format("{}.hbm{}.port", at, target.unit) : at, "hbm_slice",
             f.hbm_slice.bw_gbps);
  } else if (target.kind == EndpointKind::sram) {
    r.memory(r.named() ? at + ".sram.port" : at, "sram", f.sram.bw_gbps);
  } else if (target.kind == EndpointKind::tcm) {
    r.memory(r.named() ? fmt::format("{}.pe{}.tcm.port", at, target.unit) : at, "tcm", f.tcm_gbps);
  }
  return r.finish();
}

}  // namespace

Route route(const Fabric& f, const Endpoint& requester, const Endpoint& target, bool write) {
  return build_route(f, requester, target, write, true);
}

Route route_shape(const Fabric& f, const Endpoint& requester, const Endpoint& target, bool write) {
  return build_route(f, requester, target, write, false);
}

PathFigures path_figures(const Fabric& f, const Endpoint& requester, const Endpoint& target) {
  const Route r = route_shape(f, requester, target, true);
  PathFigures p{r.latency_ns, INFINITY};
  for (const Hop& h : r.hops) p.narrowest_gbps = std::min(p.narrowest_gbps, h.gbps);
  return p;
}

}  // namespace kb::models

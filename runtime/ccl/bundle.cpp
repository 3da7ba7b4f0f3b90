#include "runtime/ccl/bundle.h"

#include "runtime/ccl/algorithm.h"

#include <algorithm>
#include <cstring>

namespace kb::runtime {

namespace {

bool congruent(const models::Route& a, const models::Route& b) {
  if (a.latency_ns != b.latency_ns || a.hops.size() != b.hops.size()) return false;
  for (std::size_t i = 0; i < a.hops.size(); ++i) {
    if (a.hops[i].gbps != b.hops[i].gbps || std::strcmp(a.hops[i].term, b.hops[i].term) != 0)
      return false;
  }
  return true;
}

// What a rank's timing depends on besides its steps: the offsets of the ranks it exchanges
// with, the routes there and back, and the routes to and from its buffers.
struct Shape {
  std::vector<std::uint32_t> offsets;
  std::vector<models::Route> routes;

  bool operator==(const Shape& o) const {
    return offsets == o.offsets && routes.size() == o.routes.size() &&
           std::equal(routes.begin(), routes.end(), o.routes.begin(), congruent);
  }
};

}  // namespace

std::optional<Bundle> find_bundle(const IpcqPlan& plan, const CclAlgorithm& algorithm,
                                  Collective kind, const models::Fabric& fabric,
                                  const std::vector<models::Endpoint>& buffers,
                                  std::uint32_t period_step) {
  const std::uint32_t W = plan.world_size;
  if (W < 2 || !algorithm.shifted_start(kind)) return std::nullopt;
  auto pe = [&](std::uint32_t r) {
    const PeCoord& c = plan.rank_to_pe[r];
    return models::Endpoint{models::EndpointKind::pe, c.sip, c.cube, c.pe};
  };
  std::vector<std::optional<Shape>> shapes(W);
  auto shape = [&](std::uint32_t r) -> const Shape& {
    std::optional<Shape>& s = shapes[r];
    if (s) return *s;
    s.emplace();
    for (std::uint32_t q : algorithm.neighbours(r, plan)) s->offsets.push_back((q + W - r) % W);
    std::sort(s->offsets.begin(), s->offsets.end());
    for (std::uint32_t d : s->offsets) {
      const std::uint32_t q = (r + d) % W;
      s->routes.push_back(models::route_shape(fabric, pe(r), pe(q), true));  // data
      s->routes.push_back(models::route_shape(fabric, pe(q), pe(r), true));  // credits
    }
    for (std::size_t b = r; b < buffers.size(); b += W) {
      s->routes.push_back(models::route_shape(fabric, pe(r), buffers[b], false));
      s->routes.push_back(models::route_shape(fabric, pe(r), buffers[b], true));
    }
    return *s;
  };
  // A copy lies in another SIP at its leader's place: launches reach every SIP alike, but
  // not every cube of one (they fan out from the SIP's I/O cube).
  auto placed_alike = [&](std::uint32_t r, std::uint32_t leader) {
    const PeCoord &a = plan.rank_to_pe[r], &b = plan.rank_to_pe[leader];
    return a.sip != b.sip && a.cube == b.cube && a.pe == b.pe;
  };
  for (std::uint32_t period = period_step; period < W; period += period_step) {
    if (W % period != 0) continue;
    bool alike = true;
    for (std::uint32_t r = period; r < W && alike; ++r)
      alike = placed_alike(r, r - period) && shape(r) == shape(r - period);
    if (alike) return Bundle{period, W};
  }
  return std::nullopt;
}

}  // namespace kb::runtime

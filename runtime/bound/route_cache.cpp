#include "runtime/bound/route_cache.h"

namespace kb::runtime {

RouteCache::RouteCache(const platform::Topology& topology) : fabric_(topology.fabric()) {}

const models::Route& RouteCache::route(std::uint32_t sip, std::uint32_t cube, std::uint32_t pe,
                                       std::uint32_t msip, std::uint32_t mcube, std::uint32_t unit,
                                       bool sram, bool write) {
  const Key key{sip, cube, pe, msip, mcube, unit, sram, write};
  auto it = routes_.find(key);
  if (it == routes_.end()) {
    using models::EndpointKind;
    it = routes_
             .emplace(key, models::route(
                               fabric_, {EndpointKind::pe, sip, cube, pe},
                               {sram ? EndpointKind::sram : EndpointKind::hbm, msip, mcube, unit},
                               write))
             .first;
  }
  return it->second;
}

}  // namespace kb::runtime

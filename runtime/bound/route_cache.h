#pragma once
// The routes between PEs and memories of one machine, each built once and kept. A bound
// names every resource its flows cross (models/interconnect/fabric.h), and the LLM mapper
// weighs thousands of candidate layouts over the same few thousand (PE, memory) pairs:
// building and naming each route again was a quarter of a 4-layer llm run's wall time.

#include "models/interconnect/fabric.h"
#include "platform/topology/topology.h"

#include <map>
#include <tuple>

namespace kb::runtime {

class RouteCache {
 public:
  explicit RouteCache(const platform::Topology& topology);

  // The route of the data when PE (sip, cube, pe) reads from (`write` false) or writes to
  // HBM slice `unit` (or the SRAM, `sram`) of cube `mcube` of SIP `msip`.
  const models::Route& route(std::uint32_t sip, std::uint32_t cube, std::uint32_t pe,
                             std::uint32_t msip, std::uint32_t mcube, std::uint32_t unit, bool sram,
                             bool write);

 private:
  using Key = std::tuple<std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t,
                         std::uint32_t, bool, bool>;
  models::Fabric fabric_;
  std::map<Key, models::Route> routes_;
};

}  // namespace kb::runtime

#include "runtime/ccl/algorithm.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdio>
#include <cstdlib>
#include <map>

namespace kb::runtime {

namespace {

// By name, so that lookups and listings do not depend on the order of static
// initialisation across files.
std::map<std::string, std::unique_ptr<CclAlgorithm>>& registry() {
  static std::map<std::string, std::unique_ptr<CclAlgorithm>> algorithms;
  return algorithms;
}

}  // namespace

CclAlgorithmRegistration::CclAlgorithmRegistration(std::unique_ptr<CclAlgorithm> algorithm) {
  const std::string name = algorithm->name();
  if (!registry().emplace(name, std::move(algorithm)).second) {
    std::fprintf(stderr, "collective algorithm '%s' is registered twice\n", name.c_str());
    std::abort();
  }
}

std::vector<std::string> ccl_algorithm_names() {
  std::vector<std::string> names;
  for (const auto& [name, algorithm] : registry()) names.push_back(name);
  return names;
}

const CclAlgorithm& ccl_algorithm(const std::string& name) {
  const auto it = registry().find(name);
  if (it == registry().end()) {
    throw std::invalid_argument(fmt::format("no collective algorithm '{}'; registered: {}", name,
                                            fmt::join(ccl_algorithm_names(), ", ")));
  }
  return *it->second;
}

std::optional<std::string> CclAlgorithm::rejects_world(std::uint32_t) const { return std::nullopt; }

Bound CclAlgorithm::extra_terms(Collective, double, const CollectiveFabric&) const { return {}; }

std::optional<std::int64_t> CclAlgorithm::shifted_start(Collective) const { return std::nullopt; }

bool CclAlgorithm::flow_by_queue(Collective kind) const { return kind == Collective::all_to_all; }

void require_support(const CclAlgorithm& a, Collective c) {
  if (!a.supports(c)) {
    throw std::invalid_argument(
        fmt::format("algorithm '{}' does not do {}", a.name(), to_string(c)));
  }
}

}  // namespace kb::runtime

#include "runtime/kernels/registry.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdio>
#include <cstdlib>

namespace kb::runtime {

void KernelRegistry::add(KernelInfo info) {
  if (!info.work) info.work = [](const std::vector<WorkArg>&) { return KernelWork{}; };
  std::string name = info.name;
  kernels_[name] = std::move(info);
}

const KernelInfo& KernelRegistry::get(const std::string& name) const {
  const auto it = kernels_.find(name);
  if (it == kernels_.end()) {
    throw std::invalid_argument(
        fmt::format("no kernel '{}'; registered: {}", name, fmt::join(names(), ", ")));
  }
  return it->second;
}

std::vector<std::string> KernelRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, info] : kernels_) out.push_back(name);
  return out;
}

KernelRegistry& kernel_registry() {
  static KernelRegistry registry;
  return registry;
}

KernelRegistration::KernelRegistration(KernelInfo info) {
  KernelRegistry& registry = kernel_registry();
  const std::vector<std::string> known = registry.names();
  if (std::find(known.begin(), known.end(), info.name) != known.end()) {
    std::fprintf(stderr, "two builtin kernels are called '%s'\n", info.name.c_str());
    std::abort();
  }
  registry.add(std::move(info));
}

}  // namespace kb::runtime

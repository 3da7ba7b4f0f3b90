#include "runtime/kernels/registry.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace kb::runtime {

void KernelRegistry::add(KernelInfo info) {
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
  static KernelRegistry registry = [] {
    KernelRegistry r;
    register_elementwise_kernels(r);
    register_copy_kernels(r);
    register_row_kernels(r);
    register_gemm_kernel(r);
    register_rope_kernel(r);
    register_attention_kernels(r);
    register_trace_kernels(r);
    return r;
  }();
  return registry;
}

}  // namespace kb::runtime

#include "runtime/kernel/bound_kernel.h"

#include <algorithm>

namespace kb::runtime {

BoundKernel::BoundKernel(std::string name, KernelFn fn, std::vector<LaunchArg> args,
                         std::vector<std::uint32_t> target_pes, CoreCosts costs, ScratchFor scratch)
    : name_(std::move(name)),
      fn_(std::move(fn)),
      args_(std::move(args)),
      target_pes_(std::move(target_pes)),
      costs_(costs),
      scratch_(std::move(scratch)) {
  std::sort(target_pes_.begin(), target_pes_.end());
}

std::shared_ptr<const TensorLayout> BoundKernel::layout(const Tensor& tensor,
                                                        std::uint32_t sip) const {
  auto& slot = layouts_[{tensor.shared_state().get(), sip}];
  if (!slot) slot = std::make_shared<const TensorLayout>(tensor, sip);
  return slot;
}

void BoundKernel::run(models::PeServices& pe) const {
  const models::PeLocation& at = pe.location();
  std::vector<KernelArgValue> values;
  values.reserve(args_.size());
  for (const LaunchArg& arg : args_) {
    if (const auto* tensor = std::get_if<Tensor>(&arg.value())) {
      values.emplace_back(TensorView(*tensor, layout(*tensor, at.sip), at.sip, at.cube, at.pe));
    } else {
      values.emplace_back(std::get<Scalar>(arg.value()));
    }
  }
  const auto it = std::find(target_pes_.begin(), target_pes_.end(), at.pe);
  KernelContext context(pe, static_cast<std::uint32_t>(it - target_pes_.begin()),
                        static_cast<std::uint32_t>(target_pes_.size()), std::move(values), name_,
                        costs_, scratch_(at));
  fn_(context);
  context.fence();
}

}  // namespace kb::runtime

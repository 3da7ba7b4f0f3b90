#include "runtime/kernel/kernel_context.h"

#include <fmt/format.h>

namespace kb::runtime {

const TensorView& KernelContext::tensor(std::size_t index) const {
  if (index >= args_.size() || !std::holds_alternative<TensorView>(args_[index])) {
    throw std::invalid_argument(fmt::format("kernel '{}': argument {} is not a tensor", kernel_, index));
  }
  return std::get<TensorView>(args_[index]);
}

const Scalar& KernelContext::scalar(std::size_t index) const {
  if (index >= args_.size() || !std::holds_alternative<Scalar>(args_[index])) {
    throw std::invalid_argument(fmt::format("kernel '{}': argument {} is not a scalar", kernel_, index));
  }
  return std::get<Scalar>(args_[index]);
}

std::int64_t KernelContext::int_arg(std::size_t index) const {
  const Scalar& s = scalar(index);
  return s.dtype == DType::f32 ? static_cast<std::int64_t>(s.f) : s.i;
}

double KernelContext::float_arg(std::size_t index) const {
  const Scalar& s = scalar(index);
  return s.dtype == DType::f32 ? s.f : static_cast<double>(s.i);
}

}  // namespace kb::runtime

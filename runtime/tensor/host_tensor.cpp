#include "runtime/tensor/host_tensor.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace kb::runtime {

namespace {
std::uint64_t product(const std::vector<std::int64_t>& shape) {
  std::uint64_t n = 1;
  for (std::int64_t d : shape) {
    if (d < 0) throw std::invalid_argument("negative dimension in shape " + shape_text(shape));
    n *= static_cast<std::uint64_t>(d);
  }
  return n;
}
}  // namespace

std::string shape_text(const std::vector<std::int64_t>& shape) {
  return fmt::format("({})", fmt::join(shape, ", "));
}

HostTensor::HostTensor(std::vector<std::int64_t> shape, DType dtype)
    : shape_(std::move(shape)), dtype_(dtype), bytes_(product(shape_) * itemsize(dtype)) {}

HostTensor HostTensor::shape_only(std::vector<std::int64_t> shape, DType dtype) {
  HostTensor t;
  t.shape_ = std::move(shape);
  t.dtype_ = dtype;
  product(t.shape_);  // rejects negative dimensions
  return t;
}

std::uint64_t HostTensor::elements() const { return product(shape_); }

}  // namespace kb::runtime

#include "runtime/kernels/kernel_work.h"

#include "runtime/kernel/bound_kernel.h"
#include "runtime/kernels/registry.h"

#include <fmt/format.h>

#include <numeric>

namespace kb::runtime {

double TensorShape::rows() const {
  if (shape.size() < 2) return 1;
  return std::accumulate(shape.begin(), shape.end() - 1, 1.0,
                         [](double n, std::int64_t d) { return n * static_cast<double>(d); });
}

double TensorShape::cols() const { return shape.empty() ? 1 : static_cast<double>(shape.back()); }

double KernelWork::matrix_flops() const {
  double sum = 0;
  for (const auto& [dtype, n] : flops) sum += n;
  return sum;
}

double KernelWork::total_bytes() const {
  double sum = 0;
  for (const auto& [memory, n] : bytes) sum += n;
  return sum;
}

void KernelWork::moves(const TensorShape& t) { bytes[t.memory] += t.bytes(); }

void KernelWork::vector(const TensorShape& t, double passes) {
  vector_ops += t.elements() * passes;
}

KernelWork& KernelWork::operator+=(const KernelWork& other) {
  for (const auto& [dtype, f] : other.flops) flops[dtype] += f;
  vector_ops += other.vector_ops;
  dequant += other.dequant;
  for (const auto& [memory, b] : other.bytes) bytes[memory] += b;
  return *this;
}

const TensorShape& tensor_arg(const std::string& kernel, const std::vector<WorkArg>& args,
                              std::size_t i) {
  const TensorShape* t = i < args.size() ? std::get_if<TensorShape>(&args[i]) : nullptr;
  if (t == nullptr) {
    throw std::invalid_argument(fmt::format("{}: argument {} is not a tensor", kernel, i));
  }
  return *t;
}

double scalar_arg(const std::string& kernel, const std::vector<WorkArg>& args, std::size_t i) {
  const double* v = i < args.size() ? std::get_if<double>(&args[i]) : nullptr;
  if (v == nullptr) {
    throw std::invalid_argument(fmt::format("{}: argument {} is not a number", kernel, i));
  }
  return *v;
}

std::vector<WorkArg> work_args(const std::vector<LaunchArg>& args) {
  std::vector<WorkArg> out;
  for (const LaunchArg& arg : args) {
    if (const auto* t = std::get_if<Tensor>(&arg.value())) {
      out.emplace_back(TensorShape{t->shape(), t->dtype(), t->policy().memory});
    } else {
      const Scalar& s = std::get<Scalar>(arg.value());
      out.emplace_back(s.dtype == DType::i32 ? static_cast<double>(s.i) : s.f);
    }
  }
  return out;
}

KernelWork kernel_work(const std::string& name, const std::vector<WorkArg>& args) {
  return kernel_registry().get(name).work(args);
}

KernelWork kernel_work(const std::string& name, const std::vector<LaunchArg>& args) {
  return kernel_work(name, work_args(args));
}

}  // namespace kb::runtime

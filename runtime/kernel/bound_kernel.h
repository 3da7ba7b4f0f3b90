#pragma once
// A kernel function bound to the arguments of one launch: the KernelProgram a PE core
// runs. Each PE builds the cube-local views of the tensor arguments from where it sits.

#include "runtime/kernel/kernel_context.h"

namespace kb::runtime {

// A launch argument: a device tensor, an integer (i32) or a floating-point number (f32).
class LaunchArg {
 public:
  LaunchArg(const Tensor& tensor) : value_(tensor) {}  // NOLINT: implicit by design
  LaunchArg(int value) : value_(Scalar{DType::i32, value, 0.0}) {}
  LaunchArg(std::int64_t value) : value_(Scalar{DType::i32, value, 0.0}) {}
  LaunchArg(float value) : value_(Scalar{DType::f32, 0, value}) {}
  LaunchArg(double value) : value_(Scalar{DType::f32, 0, value}) {}

  const std::variant<Tensor, Scalar>& value() const { return value_; }

 private:
  std::variant<Tensor, Scalar> value_;
};

class BoundKernel : public models::KernelProgram {
 public:
  BoundKernel(std::string name, KernelFn fn, std::vector<LaunchArg> args,
              std::vector<std::uint32_t> target_pes);
  void run(models::PeServices& pe) const override;

 private:
  std::string name_;
  KernelFn fn_;
  std::vector<LaunchArg> args_;
  std::vector<std::uint32_t> target_pes_;  // sorted
};

}  // namespace kb::runtime

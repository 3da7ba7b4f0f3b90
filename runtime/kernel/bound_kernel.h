#pragma once
// A kernel function bound to the arguments of one launch: the KernelProgram a PE core
// runs. Each PE builds the cube-local views of the tensor arguments from where it sits.

#include "runtime/kernel/kernel_context.h"

#include <map>

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

// Where a launch's kernels get their TCM scratch: the runtime's per-PE allocator.
using ScratchFor = std::function<TcmScratch(const models::PeLocation& pe)>;

class BoundKernel : public models::KernelProgram {
 public:
  BoundKernel(std::string name, KernelFn fn, std::vector<LaunchArg> args,
              std::vector<std::uint32_t> target_pes, CoreCosts costs, ScratchFor scratch);
  void run(models::PeServices& pe) const override;

 private:
  // Layouts are shared by every PE of a SIP (the simulation runs one process at a time).
  std::shared_ptr<const TensorLayout> layout(const Tensor& tensor, std::uint32_t sip) const;

  mutable std::map<std::pair<const void*, std::uint32_t>, std::shared_ptr<const TensorLayout>>
      layouts_;
  std::string name_;
  KernelFn fn_;
  std::vector<LaunchArg> args_;
  std::vector<std::uint32_t> target_pes_;  // sorted
  CoreCosts costs_;
  ScratchFor scratch_;
};

}  // namespace kb::runtime

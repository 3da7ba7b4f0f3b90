#pragma once
// What a kernel function receives: the PE it runs on, its program id among the PEs the
// launch runs on in its cube, and its arguments (tensors as cube-local views, scalars).

#include "models/protocol/kernel_program.h"
#include "runtime/kernel/tensor_view.h"

#include <functional>
#include <variant>

namespace kb::runtime {

// A scalar argument as the seed passes it: int -> i32, float -> f32.
struct Scalar {
  DType dtype = DType::i32;
  std::int64_t i = 0;
  double f = 0.0;
};

using KernelArgValue = std::variant<TensorView, Scalar>;

class KernelContext {
 public:
  KernelContext(models::PeServices& pe, std::uint32_t program_id, std::uint32_t num_programs,
                std::vector<KernelArgValue> args, std::string kernel)
      : pe_(pe),
        program_id_(program_id),
        num_programs_(num_programs),
        args_(std::move(args)),
        kernel_(std::move(kernel)) {}

  models::PeServices& pe() { return pe_; }
  const models::PeLocation& location() const { return pe_.location(); }
  std::uint32_t program_id() const { return program_id_; }
  std::uint32_t num_programs() const { return num_programs_; }
  const std::string& kernel() const { return kernel_; }

  std::size_t num_args() const { return args_.size(); }
  const TensorView& tensor(std::size_t index) const;
  std::int64_t int_arg(std::size_t index) const;
  double float_arg(std::size_t index) const;

 private:
  const Scalar& scalar(std::size_t index) const;

  models::PeServices& pe_;
  std::uint32_t program_id_;
  std::uint32_t num_programs_;
  std::vector<KernelArgValue> args_;
  std::string kernel_;
};

using KernelFn = std::function<void(KernelContext&)>;

}  // namespace kb::runtime

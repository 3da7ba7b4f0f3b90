#pragma once
// What a kernel does, as a function of its arguments, declared by the kernel beside its code
// (KB_REGISTER_KERNEL): the arithmetic of its matrix products per dtype, its vector-unit
// operations, and the bytes of its operands per kind of memory. Benches, the
// LLM lowering, trace estimates and bounds take a kernel's work from here, the way
// collectives take theirs from their algorithm's bound_ns(), instead of writing its formula
// again.

#include "runtime/tensor/dp_policy.h"
#include "runtime/tensor/dtype.h"

#include <functional>
#include <map>
#include <variant>
#include <vector>

namespace kb::runtime {

class LaunchArg;

// A tensor argument as the work model sees it: shape, dtype and where it lives, no data.
struct TensorShape {
  std::vector<std::int64_t> shape;
  DType dtype = DType::f32;
  MemoryKind memory = MemoryKind::hbm;

  // The 2-D view placement uses: leading dimensions folded into rows, 1-D as one row.
  double rows() const;
  double cols() const;
  double elements() const { return rows() * cols(); }
  double bytes() const { return elements() * static_cast<double>(itemsize(dtype)); }
};

// A launch argument: a tensor, or a scalar as a number.
using WorkArg = std::variant<TensorShape, double>;

struct KernelWork {
  std::map<DType, double> flops;       // matrix products: two per multiply-add, by operand dtype
  double vector_ops = 0;               // element operations of the vector unit
  double dequant = 0;                  // quantised weights turned into MAC inputs (once each)
  std::map<MemoryKind, double> bytes;  // every operand read or written once, where it lives

  double matrix_flops() const;
  double total_bytes() const;
  // Counts `t` read (or written) once.
  void moves(const TensorShape& t);
  // `passes` vector passes over every element of `t`.
  void vector(const TensorShape& t, double passes);
  KernelWork& operator+=(const KernelWork& other);
};

using WorkFn = std::function<KernelWork(const std::vector<WorkArg>& args)>;

// Argument `i` as a tensor (or a number); std::invalid_argument naming `kernel` otherwise.
const TensorShape& tensor_arg(const std::string& kernel, const std::vector<WorkArg>& args,
                              std::size_t i);
double scalar_arg(const std::string& kernel, const std::vector<WorkArg>& args, std::size_t i);

// A launch's arguments as the work model sees them.
std::vector<WorkArg> work_args(const std::vector<LaunchArg>& args);

// The work of the registered kernel `name` on `args`.
KernelWork kernel_work(const std::string& name, const std::vector<WorkArg>& args);
KernelWork kernel_work(const std::string& name, const std::vector<LaunchArg>& args);

}  // namespace kb::runtime

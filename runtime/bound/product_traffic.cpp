#include "runtime/bound/product_traffic.h"

#include "runtime/bound/tensor_traffic.h"
#include "runtime/kernel/bound_kernel.h"
#include "runtime/kernels/gemm.h"

namespace kb::runtime {

void product_traffic(Traffic& t, const Tensor& a, const Tensor& b, const Tensor& c,
                     const Tensor* bias, const Tensor* addend, bool rms, const Tensor* scales) {
  auto shape = [](const Tensor& x) { return std::get<TensorShape>(work_args({x}).front()); };
  const TensorShape bias_shape = bias ? shape(*bias) : TensorShape{};
  const TensorShape addend_shape = addend ? shape(*addend) : TensorShape{};
  const TensorShape scales_shape = scales ? shape(*scales) : TensorShape{};
  compute_share(t,
                gemm_work(shape(a), shape(b), shape(c), bias ? &bias_shape : nullptr,
                          addend ? &addend_shape : nullptr, rms, scales ? &scales_shape : nullptr),
                c);
  read_overlap(t, a, c, true, false);
  read_overlap(t, b, c, false, true);
  if (bias != nullptr) read_overlap(t, *bias, c, false, true);
  if (scales != nullptr) read_overlap(t, *scales, c, false, true);
  if (addend != nullptr) read_blocks(t, *addend, c);
  own_shards(t, c, Direction::write);
}

}  // namespace kb::runtime

#pragma once
// Host references for the builtin kernels, and how closely a device result must match.
//
// Integer and copy kernels must match exactly. Float kernels are compared element by
// element against a reference computed in double precision, with a tolerance derived
// from the output dtype's unit roundoff u (2^-24 f32, 2^-11 f16, 2^-8 bf16), the
// reduction length n and the magnitudes involved (docs/kernels.md):
//   elementwise (vector_add, axpy):  2u |ref| + u_in (|x| + |y|)
//   gemm:        (n + 2) u32 sum_k |a_ik b_kj| + 2 u_out |ref|
//   softmax:     (n + 8) u |ref| + u
//   layernorm:   (n + 8) u (|ref| + 1)
//   reduce_sum:  (n + 1) u sum_c |x_rc|

#include "runtime/kernel/tile.h"
#include "runtime/tensor/host_tensor.h"

#include <functional>
#include <string>

namespace kb::runtime {

struct Verification {
  bool ok = true;
  double max_abs_err = 0.0;
  std::string first_failure;  // "element (r, c): device 1.5, reference 1.25, tolerance 0.01"
};

// The references take and give tensors in their 2-D views.
HostTensor reference_vector_add(const HostTensor& x, const HostTensor& y, DType out);
HostTensor reference_axpy(const HostTensor& x, const HostTensor& y, double alpha);
HostTensor reference_transpose(const HostTensor& src);
HostTensor reference_softmax(const HostTensor& x, DType out);
HostTensor reference_layernorm(const HostTensor& x, double eps, DType out);
HostTensor reference_reduce_sum(const HostTensor& x, DType out);
HostTensor reference_gemm(const HostTensor& a, const HostTensor& b, DType out);

// Compares `device` with `reference` under `tolerance(r, c)`.
Verification compare(const HostTensor& device, const HostTensor& reference,
                     const std::function<double(std::int64_t r, std::int64_t c)>& tolerance);
Verification compare_exact(const HostTensor& device, const HostTensor& reference);

// The tolerances of the header comment.
double unit_roundoff(DType dtype);
Verification verify_elementwise(const HostTensor& device, const HostTensor& reference,
                                const HostTensor& x, const HostTensor& y);
Verification verify_gemm(const HostTensor& device, const HostTensor& reference, const HostTensor& a,
                         const HostTensor& b);
Verification verify_softmax(const HostTensor& device, const HostTensor& reference);
Verification verify_layernorm(const HostTensor& device, const HostTensor& reference);
Verification verify_reduce_sum(const HostTensor& device, const HostTensor& reference,
                               const HostTensor& x);

// A host tensor's 2-D view as a tile of its values, and back.
Tile as_tile(const HostTensor& t);
HostTensor from_tile(const Tile& tile, std::vector<std::int64_t> shape);

// Element access in the 2-D view, decoded to double.
double element(const HostTensor& t, std::int64_t r, std::int64_t c);
std::int64_t rows_of(const HostTensor& t);
std::int64_t cols_of(const HostTensor& t);

}  // namespace kb::runtime

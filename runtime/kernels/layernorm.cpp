// Row layer normalisation, no affine (runtime/kernels/row_walk.h, normalise_rows).
#include "runtime/kernels/registry.h"
#include "runtime/kernels/row_walk.h"

namespace kb::runtime {

namespace {

void layernorm(KernelContext& k) { normalise_rows(k, "layernorm", true); }

// Cast, row sum, subtract, square, row sum, divide, cast.
KernelWork work(const std::vector<WorkArg>& args) { return row_work("layernorm", args, 7); }

}  // namespace

KB_REGISTER_KERNEL(layernorm, "(x, out, eps)", "row layer normalisation (no affine)", layernorm,
                   work);

}  // namespace kb::runtime

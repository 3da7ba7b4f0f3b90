// Row RMS normalisation, no scale (runtime/kernels/row_walk.h, normalise_rows).
#include "runtime/kernels/registry.h"
#include "runtime/kernels/row_walk.h"

namespace kb::runtime {

namespace {

void rmsnorm(KernelContext& k) { normalise_rows(k, "rmsnorm", false); }

// Cast, square, row sum, divide, cast.
KernelWork work(const std::vector<WorkArg>& args) { return row_work("rmsnorm", args, 5); }

}  // namespace

KB_REGISTER_KERNEL(rmsnorm, "(x, out, eps)", "row RMS normalisation (no scale)", rmsnorm, work);

}  // namespace kb::runtime

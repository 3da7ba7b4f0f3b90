#pragma once
// The worked example of docs/kernels.md: out = alpha * x + y, row block by row block.

#include "runtime/kernel/kernel_context.h"

namespace kb::examples {

void scaled_add(runtime::KernelContext& k);

}  // namespace kb::examples

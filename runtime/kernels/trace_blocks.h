#pragma once
// Kernels that stand for work a trace records but does not describe element by element
// (runtime/trace): each works on the PE's own block of its tensor, tile by tile.

#include "runtime/kernels/block_walk.h"
#include "runtime/kernels/kernel_work.h"

namespace kb::runtime {

// The work of moving tensor argument 0 once.
inline KernelWork block_work(const std::string& kernel, const std::vector<WorkArg>& args) {
  KernelWork w;
  w.moves(tensor_arg(kernel, args, 0));
  return w;
}

}  // namespace kb::runtime

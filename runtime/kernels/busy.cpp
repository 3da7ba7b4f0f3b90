// Holds each PE it runs on for `ps` picoseconds: compute whose duration a trace recorded,
// not its operations (runtime/trace). It declares no work: its time is its work.
#include "runtime/kernels/registry.h"

#include <stdexcept>

namespace kb::runtime {

namespace {

void busy_kernel(KernelContext& k) {
  const std::int64_t ps = k.int_arg(0);
  if (ps < 0) throw std::invalid_argument("busy: the time must be >= 0 ps");
  k.wait_until(k.pe().local_time_ps() + static_cast<models::Picoseconds>(ps));
}

KernelWork work(const std::vector<WorkArg>&) { return {}; }

}  // namespace

KB_REGISTER_KERNEL(busy, "(ps)", "holds each PE it runs on for ps picoseconds", busy_kernel, work);

}  // namespace kb::runtime

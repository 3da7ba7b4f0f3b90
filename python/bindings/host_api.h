#pragma once
// The original runtime's host API in Python (docs/python.md): RuntimeContext, DPPolicy,
// tensors, host tensors from and to numpy, launches, handles, traces, IPCQ installation,
// the ahbm / accelerator namespaces and torch.distributed, over runtime::RuntimeContext.
// Every call that may wait in simulated time keeps its SystemC thread's Python state
// (python_threads.h).

#include "platform/simulation.h"

#include <pybind11/pybind11.h>

#include "runtime/context/runtime_context.h"

namespace kb::python {

// The simulation a host program runs on (the original's engine): what a RuntimeContext is
// created on.
struct Engine {
  platform::Simulation* simulation = nullptr;
};

void bind_host_api(pybind11::module_& m);

// The device a RuntimeContext's target_device names: "all" (or None), a SIP index, "sip:N",
// "sipN" or "ahbm:N"; ValueError otherwise.
runtime::Device device_of(const pybind11::object& target);

// A Python RuntimeContext over a context the caller owns (the ranks' shared one).
pybind11::object borrowed_context(runtime::RuntimeContext& context);

}  // namespace kb::python

#include "python/bindings/python_threads.h"

#include <pybind11/pybind11.h>

namespace kb::python {

namespace {

// pybind11's stack of the argument loaders of its calls in progress (the top, or null).
auto& loader_stack_key() {
#if PYBIND11_INTERNALS_VERSION == 4
  return pybind11::detail::get_local_internals().loader_life_support_tls_key;
#else
  return pybind11::detail::get_internals().loader_life_support_tls_key;
#endif
}
void* loader_stack() { return PYBIND11_TLS_GET_VALUE(loader_stack_key()); }
void set_loader_stack(void* top) { PYBIND11_TLS_REPLACE_VALUE(loader_stack_key(), top); }

}  // namespace

KeepThreadState::KeepThreadState() : own_(PyThreadState_Get()), loaders_(loader_stack()) {}

KeepThreadState::~KeepThreadState() {
  PyThreadState_Swap(own_);
  set_loader_stack(loaders_);
}

OwnThreadState::OwnThreadState(PyThreadState* main)
    : main_(main), own_(PyThreadState_New(PyThreadState_GetInterpreter(main))) {
  PyThreadState_Swap(own_);
  set_loader_stack(nullptr);
}

OwnThreadState::~OwnThreadState() {
  PyThreadState_Swap(main_);
  PyThreadState_Clear(own_);
  PyThreadState_Delete(own_);
}

}  // namespace kb::python

#pragma once
// Python code on SystemC threads (docs/adr/0018-python-host-programs.md). SystemC runs its
// threads as coroutines on one OS thread; the interpreter keeps each call stack's frames in
// a thread state. So every SystemC thread that runs Python gets a thread state of its own,
// current while it runs, and the GIL stays with the OS thread throughout. A thread that
// leaves Python for a call that may wait in simulated time (every call into the runtime)
// finds another thread's state current when it resumes, and restores its own. pybind11
// keeps one more per-thread stack, its calls' argument loaders, in OS-thread-local storage:
// that is saved and restored alike.

#include <Python.h>

namespace kb::python {

// Restores the calling thread's Python thread state when the call it guards returns,
// whichever SystemC threads ran Python meanwhile (a pybind11 call guard).
class KeepThreadState {
 public:
  KeepThreadState();
  ~KeepThreadState();
  KeepThreadState(const KeepThreadState&) = delete;
  KeepThreadState& operator=(const KeepThreadState&) = delete;

 private:
  PyThreadState* own_;
  void* loaders_;
};

// A thread state of its own for the SystemC thread that creates it, current from now until
// destroyed; then `main`'s (the state of the thread that runs the simulation) is current.
class OwnThreadState {
 public:
  explicit OwnThreadState(PyThreadState* main);
  ~OwnThreadState();
  OwnThreadState(const OwnThreadState&) = delete;
  OwnThreadState& operator=(const OwnThreadState&) = delete;

 private:
  PyThreadState* main_;
  PyThreadState* own_;
};

}  // namespace kb::python

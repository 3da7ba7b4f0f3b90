#pragma once
// Kernels by name (the seed's triton_emu registry). Each builtin kernel is one file under
// runtime/kernels/ that defines the kernel, declares its work and registers both with
// KB_REGISTER_KERNEL: adding a kernel is adding its file (docs/architecture.md).

#include "runtime/kernel/kernel_context.h"
#include "runtime/kernels/kernel_work.h"

#include <map>
#include <string>
#include <vector>

namespace kb::runtime {

struct KernelInfo {
  std::string name;
  std::string signature;  // arguments, in launch order
  std::string summary;
  KernelFn fn;
  WorkFn work = {};  // what it does on given arguments (kernel_work.h); none: no work
};

class KernelRegistry {
 public:
  // Registers or replaces (the last registration wins, as in the seed). A kernel without a
  // work model declares none: its work is empty.
  void add(KernelInfo info);
  // The kernel called `name`; throws with the known names when there is none.
  const KernelInfo& get(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, KernelInfo> kernels_;
};

// The process-wide registry, holding every kernel registered with KB_REGISTER_KERNEL.
KernelRegistry& kernel_registry();

// Registers a builtin kernel at static initialisation; a second builtin of the same name
// is a programming error that stops the process with a message.
struct KernelRegistration {
  explicit KernelRegistration(KernelInfo info);
};

}  // namespace kb::runtime

// KB_REGISTER_KERNEL(name, "(args)", "summary", function, work): `name` is the kernel's name
// as launched, spelt as an identifier.
#define KB_REGISTER_KERNEL(name, signature, summary, fn, work)                   \
  static const ::kb::runtime::KernelRegistration kb_kernel_registration_##name { \
    ::kb::runtime::KernelInfo { #name, signature, summary, fn, work }            \
  }

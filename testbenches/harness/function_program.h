#pragma once
// A kernel program from a lambda, for tests that drive PEs directly.

#include "models/protocol/kernel_program.h"
#include "models/protocol/messages.h"

#include <functional>
#include <memory>

namespace kb::test {

class FunctionProgram : public models::KernelProgram {
 public:
  explicit FunctionProgram(std::function<void(models::PeServices&)> fn) : fn_(std::move(fn)) {}
  void run(models::PeServices& pe) const override { fn_(pe); }

 private:
  std::function<void(models::PeServices&)> fn_;
};

inline std::shared_ptr<models::ControlMessage> message(models::MessageBody body,
                                                       std::vector<std::uint32_t> pes = {},
                                                       std::string label = "test") {
  auto m = std::make_shared<models::ControlMessage>();
  m->label = std::move(label);
  m->target_pes = std::move(pes);
  m->body = std::move(body);
  return m;
}

inline std::shared_ptr<models::ControlMessage> launch(std::function<void(models::PeServices&)> fn,
                                                      std::vector<std::uint32_t> pes,
                                                      std::string name = "test_kernel") {
  return message(models::KernelLaunch{name, std::make_shared<FunctionProgram>(std::move(fn))},
                 std::move(pes), name);
}

}  // namespace kb::test

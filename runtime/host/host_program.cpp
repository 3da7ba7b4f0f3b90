#include "runtime/host/host_program.h"

#include "models/common/simulation_error.h"

#include <fmt/format.h>

namespace kb::runtime {

void spawn_host_thread(const std::function<void()>& body, const char* name,
                       std::size_t stack_bytes) {
  sc_core::sc_spawn_options options;
  if (stack_bytes != 0) options.set_stack_size(static_cast<int>(stack_bytes));
  sc_core::sc_spawn([body] { models::run_guarded(body); }, name, &options);
}

void spawn_host_program(platform::Simulation& simulation, HostProgram program, Device device,
                        std::size_t stack_bytes) {
  spawn_host_thread(
      [&simulation, program = std::move(program), device] {
        RuntimeContext context(simulation, device);
        program(context);
        context.close();
      },
      "host", stack_bytes);
}

void spawn_ranks(platform::Simulation& simulation, std::uint32_t ranks, RankProgram program,
                 Device device, std::size_t stack_bytes) {
  struct Shared {
    std::unique_ptr<RuntimeContext> context;
    std::uint32_t running;
  };
  auto shared = std::make_shared<Shared>(Shared{nullptr, ranks});
  for (std::uint32_t rank = 0; rank < ranks; ++rank) {
    spawn_host_thread(
        [&simulation, program, device, shared, rank] {
          if (!shared->context)
            shared->context = std::make_unique<RuntimeContext>(simulation, device);
          shared->context->set_thread_rank(rank);
          program(*shared->context, rank);
          if (--shared->running == 0) shared->context->close();
        },
        fmt::format("rank{}", rank).c_str(), stack_bytes);
  }
}

}  // namespace kb::runtime

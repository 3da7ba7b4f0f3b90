#include "runtime/host/host_program.h"

#include "models/common/simulation_error.h"

#include <fmt/format.h>

namespace kb::runtime {

void spawn_host_program(platform::Simulation& simulation, HostProgram program, Device device) {
  sc_core::sc_spawn(
      [&simulation, program = std::move(program), device] {
        models::run_guarded([&] {
          RuntimeContext context(simulation, device);
          program(context);
          context.close();
        });
      },
      "host");
}

void spawn_ranks(platform::Simulation& simulation, std::uint32_t ranks, RankProgram program,
                 Device device) {
  struct Shared {
    std::unique_ptr<RuntimeContext> context;
    std::uint32_t running;
  };
  auto shared = std::make_shared<Shared>(Shared{nullptr, ranks});
  for (std::uint32_t rank = 0; rank < ranks; ++rank) {
    sc_core::sc_spawn(
        [&simulation, program, device, shared, rank] {
          models::run_guarded([&] {
            if (!shared->context)
              shared->context = std::make_unique<RuntimeContext>(simulation, device);
            shared->context->set_thread_rank(rank);
            program(*shared->context, rank);
            if (--shared->running == 0) shared->context->close();
          });
        },
        fmt::format("rank{}", rank).c_str());
  }
}

}  // namespace kb::runtime

#include "platform/simulation.h"
#include "platform/topology/loader.h"
#include "runtime/host/host_program.h"

#include <cstdio>

using namespace kb::runtime;

// Runs on every PE that holds a block of x: doubles its own part in place.
void double_own_block(KernelContext& k) {
  const TensorView& v = k.tensor(0);   // this cube's 64 x 256 block
  const Block& mine = *v.own_block();  // this PE's 64 x 32 part
  std::vector<float> row(mine.cols);
  for (std::int64_t r = mine.row0; r < mine.row0 + mine.rows; ++r) {
    k.pe().read(v.address(r, mine.col0), row.data(), row.size() * sizeof(float));
    for (float& e : row) e *= static_cast<float>(k.float_arg(1));
    k.pe().write(v.address(r, mine.col0), row.data(), row.size() * sizeof(float));
  }
}

int sc_main(int, char**) {
  kb::platform::Simulation sim(kb::platform::load_default_topology());
  std::vector<float> back;
  spawn_host_program(sim, [&](RuntimeContext& ctx) {
    // 1024 x 256 f32, rows split over the 16 cubes, columns over each cube's 8 PEs.
    const DPPolicy dp{Split::replicate, Split::row_wise, Split::column_wise};
    std::vector<float> data(1024 * 256, 1.5f);
    Tensor x = ctx.empty({1024, 256}, DType::f32, dp, "x");
    ctx.copy_(x, HostTensor::from(data, {1024, 256}));  // host -> device
    ctx.launch("double_own_block", double_own_block, {x, 2.0});
    back = ctx.to_host(x).values<float>();  // device -> host
    // The context frees x (MmuUnmap, VA and PA returned) when it closes.
  });
  sim.run();  // throws kb::models::SimulationError on a fault or a deadlock
  for (float v : back) {
    if (v != 3.0f) return 1;
  }
  std::printf("%zu values doubled, %.3f us simulated\n", back.size(),
              sc_core::sc_time_stamp().to_seconds() * 1e6);
  return 0;
}

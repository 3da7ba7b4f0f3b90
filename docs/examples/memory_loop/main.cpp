// A host program that copies a 32 MiB tensor in, reads it back and frees it, round after
// round. The runtime keeps no bytes it has moved (a handle keeps metadata only), so the
// resident memory stays flat however many rounds run: exit 1 if it grows by a tensor.
#include "platform/simulation.h"
#include "platform/topology/loader.h"
#include "runtime/host/host_program.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

using namespace kb::runtime;

namespace {

// The process's resident set in MiB (Linux: /proc/self/statm counts pages).
double resident_mib() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1048576.0;
}

}  // namespace

int sc_main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 8;
  if (rounds < 3) return 2;
  const std::vector<std::int64_t> shape{2048, 4096};  // f32: 32 MiB
  const double tensor_mib = 2048.0 * 4096.0 * sizeof(float) / 1048576.0;
  kb::platform::Simulation sim(kb::platform::load_default_topology());
  std::vector<double> resident;
  bool same = true;
  spawn_host_program(sim, [&](RuntimeContext& ctx) {
    const DPPolicy dp{Split::replicate, Split::row_wise, Split::column_wise};
    const HostTensor data = HostTensor::from(std::vector<float>(2048 * 4096, 1.5f), shape);
    for (int round = 0; round < rounds; ++round) {
      Tensor t = ctx.empty(shape, DType::f32, dp);
      ctx.copy_(t, data);
      same = same && ctx.to_host(t).bytes() == data.bytes();
      ctx.free(t);
      resident.push_back(resident_mib());
    }
  });
  sim.run();
  // From the second round on: the first one grows the model's sparse memory once.
  const double growth = resident.back() - resident[1];
  std::printf(
      "%d rounds of %.0f MiB in and out: resident %.1f MiB after round 2, %.1f MiB "
      "after round %d\n",
      rounds, tensor_mib, resident[1], resident.back(), rounds);
  return same && growth < tensor_mib ? 0 : 1;
}

#include "platform/commands/elaborate_command.h"

#include "platform/commands/exit_codes.h"
#include "platform/commands/topology_options.h"
#include "platform/simulation.h"

#include <fmt/format.h>

#include <memory>

namespace kb::cli {

void add_elaborate_command(CLI::App& app, std::function<int()>& action) {
  auto options = std::make_shared<TopologyOptions>();
  CLI::App* cmd = app.add_subcommand(
      "elaborate", "build the SystemC model of a topology and report its size, time and memory");
  options->add_to(*cmd, false);
  cmd->footer("Example:\n  kernbench elaborate configs/topology.yaml --set system.sips.count=8");
  cmd->callback([&action, options] {
    action = [options] {
      const platform::Topology topology = options->load();
      platform::Simulation sim(topology);
      sim.leave_model_to_exit();
      const platform::ElaborationReport& r = sim.elaboration();
      fmt::print("topology:        {}\n", options->source());
      fmt::print("PEs:             {}\n", r.pes);
      fmt::print("SystemC objects: {}\n", r.modules);
      fmt::print("elaboration:     {:.3f} s\n", r.wall_s);
      fmt::print("peak memory:     {:.1f} MiB\n",
                 static_cast<double>(r.peak_rss_bytes) / (1 << 20));
      return kOk;
    };
  });
}

}  // namespace kb::cli

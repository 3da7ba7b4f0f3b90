#include "platform/commands/topology_command.h"

#include "platform/address_map.h"
#include "platform/commands/exit_codes.h"
#include "platform/commands/topology_options.h"
#include "platform/topology/topology_report.h"

#include <fmt/format.h>

#include <iostream>
#include <memory>

namespace kb::cli {

void add_topology_command(CLI::App& app, std::function<int()>& action) {
  auto options = std::make_shared<TopologyOptions>();
  CLI::App* topology = app.add_subcommand("topology", "check and inspect machine descriptions");
  topology->require_subcommand(1);

  CLI::App* validate = topology->add_subcommand(
      "validate", "check a topology file; exit 0 when valid, 2 with the first error otherwise");
  options->add_to(*validate, true);
  validate->footer(
      "Example:\n  kernbench topology validate configs/tiny.yaml --set sip.cube_mesh.w=2");
  validate->callback([&action, options] {
    action = [options] {
      const platform::Topology t = options->load();
      fmt::print("{}: valid ({} SIP(s), {} x {} cubes, {} PEs per cube, world size {})\n",
                 options->source(), t.system.sips.count, t.sip.cube_mesh.w, t.sip.cube_mesh.h,
                 t.pes_per_cube(), t.world_size());
      return kOk;
    };
  });

  CLI::App* show = topology->add_subcommand(
      "show", "print the effective configuration (every default filled in) and derived figures");
  options->add_to(*show, false);
  auto json_flag = std::make_shared<bool>(false);
  show->add_flag("--json", *json_flag, "machine-readable output");
  show->footer(
      "Examples:\n  kernbench topology show\n"
      "  kernbench topology show configs/topology.yaml --json --set system.sips.count=8");
  show->callback([&action, options, json_flag] {
    action = [options, json_flag] {
      const platform::Topology t = options->load();
      if (*json_flag) {
        auto j = platform::topology_json(t);
        j["file"] = options->source();
        std::cout << j.dump(2) << '\n';
      } else {
        fmt::print("# topology: {}\n# {}\n{}", options->source(),
                   "derived figures:", platform::derived_summary(t));
        fmt::print("\n# effective configuration:\n{}", platform::effective_yaml(t));
      }
      return kOk;
    };
  });

  CLI::App* addrmap = topology->add_subcommand(
      "addrmap", "print the physical address map: every memory and MMIO endpoint");
  options->add_to(*addrmap, false);
  addrmap->footer("Example:\n  kernbench topology addrmap configs/tiny.yaml");
  addrmap->callback([&action, options] {
    action = [options] {
      std::cout << platform::format_address_map(platform::address_map(options->load()));
      return kOk;
    };
  });

  CLI::App* schema =
      topology->add_subcommand("schema", "print the schema reference (docs/topology-schema.md)");
  schema->callback([&action] {
    action = [] {
      std::cout << platform::schema_markdown();
      return kOk;
    };
  });
}

}  // namespace kb::cli

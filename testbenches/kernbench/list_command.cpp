#include "testbenches/kernbench/list_command.h"
#include "platform/commands/exit_codes.h"
#include "testbenches/benches/bench.h"

#include <fmt/format.h>

namespace kb::cli {

void add_list_command(CLI::App& app, std::function<int()>& action) {
  CLI::App* cmd = app.add_subcommand("list", "list the benches, their parameters and defaults");
  cmd->callback([&action] {
    action = [] {
      for (const auto& bench : bench::benches()) {
        fmt::print("{}\n  {}\n", bench->name(), bench->description());
        for (const bench::Param& p : bench->params()) {
          fmt::print("    --param {}={:<12} {}\n", p.name, p.default_value, p.description);
        }
      }
      return kOk;
    };
  });
}

}  // namespace kb::cli

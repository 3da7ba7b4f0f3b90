#include "testbenches/kernbench/list_command.h"
#include "platform/commands/exit_codes.h"
#include "testbenches/benches/bench.h"
#include "testbenches/benches/bench_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

namespace kb::cli {

void add_list_command(CLI::App& app, std::function<int()>& action) {
  CLI::App* cmd = app.add_subcommand("list", "list the benches, their parameters and defaults");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json,
                "machine-readable: {bench: {description, params: {name: default}}}");
  cmd->callback([&action, json] {
    action = [json] {
      if (*json) {
        fmt::print("{}\n", bench::benches_json().dump(2));
        return kOk;
      }
      // One column width for every bench's NAME=DEFAULT, so descriptions line up.
      std::size_t width = 0;
      for (const auto& bench : bench::benches()) {
        for (const bench::Param& p : bench->params())
          width = std::max(width, p.name.size() + 1 + p.default_value.size());
      }
      for (const auto& bench : bench::benches()) {
        fmt::print("{}\n  {}\n", bench->name(), bench->description());
        for (const bench::Param& p : bench->params()) {
          fmt::print("    --param {:<{}}  {}\n", p.name + "=" + p.default_value, width,
                     p.description);
        }
      }
      return kOk;
    };
  });
}

}  // namespace kb::cli

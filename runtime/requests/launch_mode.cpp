#include "runtime/requests/launch_mode.h"

namespace kb::runtime {

const char* to_string(LaunchMode mode) {
  switch (mode) {
    case LaunchMode::host: return "host";
    case LaunchMode::graph: return "graph";
    case LaunchMode::persistent: return "persistent";
  }
  return "?";
}

std::optional<LaunchMode> parse_launch_mode(std::string_view name) {
  for (LaunchMode m : {LaunchMode::host, LaunchMode::graph, LaunchMode::persistent}) {
    if (name == to_string(m)) return m;
  }
  return std::nullopt;
}

}  // namespace kb::runtime

#pragma once
// Who issues kernel launches (docs/workloads.md, launch modes): the host, over the host
// links (the original runtime's behaviour); or, once a step's graph is on the device, each
// SIP's graph dispatcher (models/cube/graph_dispatch.h), to the cubes' M_CPUs (graph) or
// straight to PEs whose kernels are resident (persistent).

#include <optional>
#include <string_view>

namespace kb::runtime {

enum class LaunchMode { host, graph, persistent };
const char* to_string(LaunchMode mode);
std::optional<LaunchMode> parse_launch_mode(std::string_view name);

}  // namespace kb::runtime

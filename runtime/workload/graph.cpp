#include "runtime/workload/graph.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <functional>

namespace kb::runtime {

namespace {
constexpr std::array<std::pair<OpClass, const char*>, 7> kOpClasses = {{
    {OpClass::gemm, "gemm"},
    {OpClass::attention, "attention"},
    {OpClass::norm, "norm"},
    {OpClass::elementwise, "elementwise"},
    {OpClass::communication, "communication"},
    {OpClass::copy, "copy"},
    {OpClass::other, "other"},
}};
}  // namespace

const char* to_string(OpClass op) {
  for (const auto& [value, name] : kOpClasses) {
    if (value == op) return name;
  }
  return "?";
}

std::optional<OpClass> parse_op_class(std::string_view name) {
  for (const auto& [value, text] : kOpClasses) {
    if (name == text) return value;
  }
  return std::nullopt;
}

std::vector<OpClass> all_op_classes() {
  std::vector<OpClass> all;
  for (const auto& entry : kOpClasses) all.push_back(entry.first);
  return all;
}

void WorkloadGraph::add(WorkloadNode node) {
  if (node.name.empty()) throw GraphError("a workload node needs a name");
  if (!by_name_.emplace(node.name, nodes_.size()).second) {
    throw GraphError(fmt::format("two workload nodes are named '{}'", node.name));
  }
  nodes_.push_back(std::move(node));
}

std::size_t WorkloadGraph::index_of(const std::string& name) const {
  const auto it = by_name_.find(name);
  if (it == by_name_.end()) throw GraphError(fmt::format("no workload node '{}'", name));
  return it->second;
}

namespace {
// A depth-first search that reports the first cycle it closes, as the chain of names.
void check_acyclic(const std::vector<std::vector<std::size_t>>& deps,
                   const std::function<const std::string&(std::size_t)>& name) {
  enum class Mark { none, open, done };
  std::vector<Mark> mark(deps.size(), Mark::none);
  std::vector<std::size_t> stack;
  std::function<void(std::size_t)> visit = [&](std::size_t i) {
    mark[i] = Mark::open;
    stack.push_back(i);
    for (std::size_t d : deps[i]) {
      if (mark[d] == Mark::open) {
        std::vector<std::string> cycle;
        for (auto it = std::find(stack.begin(), stack.end(), d); it != stack.end(); ++it)
          cycle.push_back(name(*it));
        cycle.push_back(name(d));
        throw GraphError(fmt::format("the workload has a cycle: {} (each waits for the next)",
                                     fmt::join(cycle, " -> ")));
      }
      if (mark[d] == Mark::none) visit(d);
    }
    stack.pop_back();
    mark[i] = Mark::done;
  };
  for (std::size_t i = 0; i < deps.size(); ++i) {
    if (mark[i] == Mark::none) visit(i);
  }
}
}  // namespace

std::vector<std::size_t> topological_order(
    const std::vector<std::vector<std::size_t>>& deps,
    const std::function<const std::string&(std::size_t)>& name) {
  check_acyclic(deps, name);
  std::vector<std::size_t> order;
  std::vector<bool> placed(deps.size(), false);
  // Insertion order where dependencies allow: a node goes as soon as all of its are placed.
  std::function<void(std::size_t)> place = [&](std::size_t i) {
    if (placed[i]) return;
    for (std::size_t d : deps[i]) place(d);
    placed[i] = true;
    order.push_back(i);
  };
  for (std::size_t i = 0; i < deps.size(); ++i) place(i);
  return order;
}

std::vector<std::vector<std::size_t>> WorkloadGraph::resolved() const {
  std::vector<std::vector<std::size_t>> deps(nodes_.size());
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    for (const std::string& d : nodes_[i].after) {
      const auto it = by_name_.find(d);
      if (it == by_name_.end()) {
        throw GraphError(
            fmt::format("node '{}' depends on '{}', which is not in the graph", nodes_[i].name, d));
      }
      deps[i].push_back(it->second);
    }
  }
  return deps;
}

std::vector<std::vector<std::size_t>> WorkloadGraph::dependencies() const {
  std::vector<std::vector<std::size_t>> deps = resolved();
  check_acyclic(deps, names());
  return deps;
}

std::vector<std::size_t> WorkloadGraph::topological_order() const {
  return runtime::topological_order(resolved(), names());
}

WorkloadGraph::Path WorkloadGraph::critical_bound_path() const {
  const auto deps = resolved();
  const std::vector<std::size_t> order = runtime::topological_order(deps, names());
  std::vector<double> finish(nodes_.size(), 0.0);
  std::vector<std::optional<std::size_t>> via(nodes_.size());
  for (std::size_t i : order) {
    double start = 0;
    for (std::size_t d : deps[i]) {
      if (!via[i] || finish[d] > start) {
        start = finish[d];
        via[i] = d;
      }
    }
    finish[i] = start + nodes_[i].bound.time_ns();
  }
  Path path;
  if (nodes_.empty()) return path;
  std::size_t last =
      static_cast<std::size_t>(std::max_element(finish.begin(), finish.end()) - finish.begin());
  for (std::optional<std::size_t> at = last; at; at = via[*at]) path.nodes.push_back(*at);
  std::reverse(path.nodes.begin(), path.nodes.end());
  std::vector<Bound> steps;
  for (std::size_t i : path.nodes) steps.push_back(nodes_[i].bound);
  path.bound = Bound::serial(steps);
  return path;
}

}  // namespace kb::runtime

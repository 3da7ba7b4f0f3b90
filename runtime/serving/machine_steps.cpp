#include "runtime/serving/machine_steps.h"

#include "platform/energy_report.h"
#include "runtime/workload/transformer_step.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

namespace kb::runtime::serving {

double layer_span_ns(const WorkloadGraph& graph, const std::vector<NodeRun>& runs,
                     std::int64_t layer) {
  const std::string mine = fmt::format("L{}", layer);
  const std::string before = layer == 0 ? std::string("input") : fmt::format("L{}", layer - 1);
  double end = 0, start = 0;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const std::string& tag = graph.nodes()[i].layer;
    if (tag == mine) end = std::max(end, runs[i].done_ns);
    if (tag == before) start = std::max(start, runs[i].done_ns);
  }
  return end - start;
}

MachineSteps::MachineSteps(RuntimeContext& installer, ModelConfig model, StepShape base,
                           std::int64_t sim_layers)
    : installer_(installer),
      model_(std::move(model)),
      base_(base),
      sim_layers_(std::clamp<std::int64_t>(sim_layers, 1, model_.num_hidden_layers)) {}

StepShape MachineSteps::shape_of(const StepKey& key) const {
  StepShape s = base_;
  s.phase = key.phase;
  s.batch = key.batch;
  s.seq = key.seq;
  s.past = key.phase == Phase::prefill ? key.past : 0;
  s.layers = sim_layers_;
  return s;
}

StepCost MachineSteps::cost(const StepKey& key) {
  const StepShape shape = shape_of(key);
  // Contexts of its own: their destruction frees the step's tensors for the next one.
  std::vector<std::unique_ptr<RuntimeContext>> owned;
  std::vector<RuntimeContext*> devices;
  for (std::int64_t s = 0; s < shape.tp; ++s) {
    owned.push_back(std::make_unique<RuntimeContext>(installer_.simulation(),
                                                     Device::only(static_cast<std::uint32_t>(s))));
    devices.push_back(owned.back().get());
  }
  const TransformerStep step(model_, shape, devices, installer_, false);
  Executor executor(devices, shape.launch);
  const std::vector<double> before = platform::energy_snapshot();
  const std::vector<NodeRun> runs = executor.run(step.graph());
  const std::vector<double> after = platform::energy_snapshot();
  const double simulated = step_span_ns(runs, executor.graph_load_ns());
  const double layer = layer_span_ns(step.graph(), runs, sim_layers_ - 1);
  StepCost c;
  c.ns = simulated + static_cast<double>(model_.num_hidden_layers - sim_layers_) * layer;
  const double scale = simulated > 0 ? c.ns / simulated : 1.0;
  c.pj.resize(after.size());
  for (std::size_t i = 0; i < after.size(); ++i)
    c.pj[i] = (after[i] - (i < before.size() ? before[i] : 0.0)) * scale;
  return c;
}

}  // namespace kb::runtime::serving

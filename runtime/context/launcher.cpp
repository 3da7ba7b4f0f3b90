#include "runtime/context/launcher.h"

#include <fmt/format.h>

namespace kb::runtime {

PeScope PeScope::of(const std::vector<PeCoord>& pes) {
  PeScope scope;
  std::set<std::uint32_t> indices;
  for (const PeCoord& pe : pes) {
    scope.cubes[pe.sip].insert(pe.cube);
    indices.insert(pe.pe);
  }
  scope.pes.assign(indices.begin(), indices.end());
  return scope;
}

Launcher::Launcher(Requests& requests, DeviceMemory& memory, const platform::Topology& topology,
                   const MachineShape& machine)
    : requests_(requests),
      memory_(memory),
      costs_(topology.cube.pe_template.components.pe_core.attrs),
      machine_(machine) {}

namespace {

// The PEs a launch without explicit ones runs on: those holding shards of its tensors, or
// every PE of their cubes when a tensor covers them all; cube 0's PE 0 of the first SIP
// when no tensor says.
PeScope holders(const std::vector<LaunchArg>& args, const MachineShape& machine) {
  PeScope scope;
  std::set<std::uint32_t> pes;
  bool every_pe = false;
  for (const LaunchArg& arg : args) {
    const auto* t = std::get_if<Tensor>(&arg.value());
    if (t == nullptr) continue;
    every_pe = every_pe || t->on_all_pes(machine.pes_per_cube);
    for (const DeviceShard& s : t->shards()) {
      pes.insert(s.pe);
      scope.cubes[s.sip].insert(s.cube);
    }
  }
  if (every_pe) {
    for (std::uint32_t p = 0; p < machine.pes_per_cube; ++p) pes.insert(p);
  }
  scope.pes.assign(pes.begin(), pes.end());
  if (scope.pes.empty()) scope.pes = {0};
  if (scope.cubes.empty()) scope.cubes[static_cast<std::uint32_t>(machine.first_sip)] = {0};
  return scope;
}

}  // namespace

std::vector<Handle> Launcher::launch(const std::string& name, KernelFn kernel,
                                     std::vector<LaunchArg> args, const Launch& how) {
  const PeScope scope = how.on ? *how.on : holders(args, machine_);
  if (scope.cubes.empty() || scope.pes.empty()) {
    throw std::invalid_argument("launch of '" + name + "' on no PE");
  }
  auto program = std::make_shared<BoundKernel>(
      name, std::move(kernel), std::move(args), scope.pes, costs_,
      [this](const models::PeLocation& at) {
        PeMemoryAllocator& pe = memory_.pe({at.sip, at.cube, at.pe});
        return TcmScratch{[&pe](std::uint64_t bytes) { return pe.allocate_tcm(bytes).encode(); },
                          [&pe](std::uint64_t pa, std::uint64_t bytes) {
                            pe.free_tcm(models::PhysAddr::decode(pa), bytes);
                          },
                          [&pe] { return pe.tcm().largest_free_block(); }};
      });
  std::vector<Handle> pending;
  for (const auto& [sip, cubes] : scope.cubes) {
    std::vector<models::CubeTarget> targets;
    for (std::uint32_t c : cubes) targets.push_back({sip, c});
    TraceEntry meta{
        "kernel",
        name,
        sip,
        std::nullopt,
        scope.pes.size() == 1 ? std::optional<std::uint32_t>(scope.pes[0]) : std::nullopt,
        0};
    auto message = control_message(models::KernelLaunch{name, program},
                                   fmt::format("{}_sip{}", name, sip), scope.pes);
    pending.push_back(mode_ == LaunchMode::host
                          ? requests_.submit(std::move(message), targets, meta)
                          : requests_.dispatch(sip, std::move(message), targets, meta,
                                               mode_ == LaunchMode::graph
                                                   ? models::Residency::graph
                                                   : models::Residency::persistent));
  }
  if (how.wait) {
    for (const Handle& h : pending) requests_.wait(h);
  }
  return pending;
}

}  // namespace kb::runtime

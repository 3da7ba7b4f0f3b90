#include "runtime/context/runtime_context.h"

#include "runtime/kernels/registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <set>

namespace kb::runtime {

using models::CubeTarget;
using models::MemoryWrite;

namespace {

bool in_thread() {
  const sc_core::sc_process_handle self = sc_core::sc_get_current_process_handle();
  return self.valid() && self.proc_kind() == sc_core::SC_THREAD_PROC_;
}

double ns(models::Picoseconds ps) { return static_cast<double>(ps) / 1000.0; }

std::shared_ptr<models::ControlMessage> message(models::MessageBody body, std::string label,
                                                std::vector<std::uint32_t> pes) {
  auto m = std::make_shared<models::ControlMessage>();
  m->label = std::move(label);
  m->target_pes = std::move(pes);
  m->body = std::move(body);
  return m;
}

}  // namespace

void AhbmNamespace::set_device(std::uint32_t sip) { device_.set(sip); }

std::optional<std::uint32_t> AhbmNamespace::current_device() const { return device_.get(); }

namespace {
std::string next_correlation_id() {
  static std::uint64_t contexts = 0;
  return fmt::format("ctx{}", ++contexts);
}
}  // namespace

RuntimeContext::RuntimeContext(platform::Simulation& simulation, Device device,
                               std::string correlation_id)
    : simulation_(simulation),
      host_(simulation.system().host),
      topology_(simulation.topology()),
      machine_(MachineShape::of(topology_)),
      va_(topology_.page_size()),
      correlation_id_(correlation_id.empty() ? next_correlation_id() : std::move(correlation_id)) {
  if (device.sip) machine_ = machine_.only_sip(*device.sip);
}

RuntimeContext::~RuntimeContext() {
  // Freeing sends messages and waits: possible only from a host thread, and not while an
  // exception unwinds it (kernels launched before it may still use the tensors).
  if (in_thread() && std::uncaught_exceptions() == 0) close();
}

PeMemoryAllocator& RuntimeContext::allocator(const PeCoord& pe) {
  const std::uint64_t global =
      (static_cast<std::uint64_t>(pe.sip) * static_cast<std::uint64_t>(machine_.cubes_per_sip) +
       pe.cube) *
          static_cast<std::uint64_t>(machine_.pes_per_cube) +
      pe.pe;
  auto& slot = allocators_[global];
  if (!slot) slot = std::make_unique<PeMemoryAllocator>(topology_, pe);
  return *slot;
}

std::vector<std::uint32_t> RuntimeContext::all_pes() const {
  std::vector<std::uint32_t> pes(static_cast<std::size_t>(machine_.pes_per_cube));
  for (std::uint32_t p = 0; p < pes.size(); ++p) pes[p] = p;
  return pes;
}

CoreCosts RuntimeContext::core_costs() const {
  return topology_.cube.pe_template.components.pe_core.attrs;
}

TcmScratch RuntimeContext::scratch_for(const models::PeLocation& at) {
  PeMemoryAllocator& pe = allocator({at.sip, at.cube, at.pe});
  return {[&pe](std::uint64_t bytes) { return pe.allocate_tcm(bytes).encode(); },
          [&pe](std::uint64_t pa, std::uint64_t bytes) {
            pe.free_tcm(models::PhysAddr::decode(pa), bytes);
          }};
}

std::size_t RuntimeContext::live_tensors() const {
  return static_cast<std::size_t>(
      std::count_if(tensors_.begin(), tensors_.end(), [](const auto& s) { return !s->freed; }));
}

Tensor RuntimeContext::zeros(const std::vector<std::int64_t>& shape, DType dtype,
                             const DPPolicy& dp, const std::string& name) {
  return create(shape, dtype, dp, name, true);
}

Tensor RuntimeContext::empty(const std::vector<std::int64_t>& shape, DType dtype,
                             const DPPolicy& dp, const std::string& name) {
  return create(shape, dtype, dp, name, false);
}

Tensor RuntimeContext::create(const std::vector<std::int64_t>& shape, DType dtype,
                              const DPPolicy& dp, const std::string& name, bool zero) {
  auto state = std::make_shared<Tensor::State>(dp);
  state->name = name.empty() ? fmt::format("t{}", ++tensor_counter_) : name;
  state->shape = shape;
  state->dtype = dtype;
  const auto device = ahbm.current_device();
  state->placement = resolve_placement(
      dp, shape, dtype, machine_, device ? std::optional<std::int64_t>(*device) : std::nullopt);
  const bool in_sram = dp.memory == MemoryKind::sram;
  if (in_sram && dp.pe != Split::replicate) {
    throw std::invalid_argument(fmt::format(
        "{}: memory=sram keeps one copy per cube for all its PEs, so the PE level must be "
        "replicate, not {}",
        dp.to_string(), runtime::to_string(dp.pe)));
  }
  state->va_base = va_.allocate(state->placement.nbytes());
  try {
    // In SRAM, the PEs of a cube share one copy of each block: their shards' PA is one.
    std::map<std::tuple<std::uint32_t, std::uint32_t, std::uint64_t>, models::PhysAddr> shared;
    for (const Shard& s : state->placement.shards) {
      if (in_sram) {
        auto [it, first] = shared.try_emplace({s.sip, s.cube, s.block});
        if (first) {
          it->second = models::PhysAddr::of(s.sip, s.cube, models::Region::sram, 0,
                                            sram(s.sip, s.cube).allocate(s.nbytes));
        }
        state->shards.push_back({s, it->second});
      } else {
        state->shards.push_back({s, allocator({s.sip, s.cube, s.pe}).allocate_hbm(s.nbytes)});
      }
    }
  } catch (...) {
    release(state->shards);
    va_.free(state->va_base, state->placement.nbytes());
    throw;
  }
  tensors_.push_back(state);
  Tensor tensor(state);
  map(tensor);
  if (zero) {
    for (const DeviceShard* s : distinct_storage(tensor.shards()))
      write_shard(*s, tensor, MemoryWrite::Pattern::zero, nullptr);
  }
  return tensor;
}

std::vector<const DeviceShard*> RuntimeContext::distinct_storage(
    const std::vector<DeviceShard>& shards) {
  std::vector<const DeviceShard*> out;
  std::set<std::uint64_t> seen;
  for (const DeviceShard& s : shards) {
    if (seen.insert(s.pa.encode()).second) out.push_back(&s);
  }
  return out;
}

RangeAllocator& RuntimeContext::sram(std::uint32_t sip, std::uint32_t cube) {
  auto& slot = sram_[{sip, cube}];
  if (!slot) {
    slot = std::make_unique<RangeAllocator>(fmt::format("SRAM of sip{}.cube{}", sip, cube), 0,
                                            topology_.sram_bytes_per_cube(), 64);
  }
  return *slot;
}

void RuntimeContext::release(const std::vector<DeviceShard>& shards) {
  for (const DeviceShard* s : distinct_storage(shards)) {
    if (s->pa.region == models::Region::sram) {
      sram(s->sip, s->cube).free(s->pa.offset, s->nbytes);
    } else {
      allocator({s->sip, s->cube, s->pe}).free_hbm(s->pa, s->nbytes);
    }
  }
}

void RuntimeContext::map(const Tensor& tensor) {
  const bool per_cube = tensor.policy().cube == Split::replicate;
  // (sip, cube) groups for cube-replicated tensors, otherwise one group per SIP.
  std::map<std::pair<std::uint32_t, std::uint32_t>, models::MmuMap> groups;
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::set<std::uint32_t>> cubes;
  for (const DeviceShard& s : tensor.shards()) {
    const auto key = std::make_pair(s.sip, per_cube ? s.cube : 0U);
    groups[key].entries.push_back({tensor.va_base() + s.offset_bytes, s.pa.encode(), s.nbytes});
    cubes[key].insert(s.cube);
  }
  for (auto& [key, map] : groups) {
    std::vector<CubeTarget> targets;
    for (std::uint32_t c : cubes[key]) targets.push_back({key.first, c});
    const std::string label =
        per_cube ? fmt::format("mmu_{}_s{}c{}", tensor.name(), key.first, key.second)
                 : fmt::format("mmu_{}_s{}", tensor.name(), key.first);
    TraceEntry meta{
        "mmu_map",
        tensor.name(),
        key.first,
        targets.size() == 1 ? std::optional<std::uint32_t>(targets[0].cube) : std::nullopt,
        std::nullopt,
        0};
    wait(submit(message(std::move(map), label, all_pes()), targets, meta));
  }
}

void RuntimeContext::write_shard(const DeviceShard& s, const Tensor& tensor,
                                 MemoryWrite::Pattern pattern,
                                 std::shared_ptr<const std::vector<unsigned char>> data) {
  TraceEntry meta{"memory_write", tensor.name(), s.sip, s.cube, s.pe, s.nbytes};
  wait(submit(message(MemoryWrite{s.pa.encode(), s.nbytes, pattern, std::move(data)},
                      fmt::format("deploy_{}_pe{}", tensor.name(), s.pe), {s.pe}),
              {{s.sip, s.cube}}, meta));
}

void RuntimeContext::copy_(const Tensor& target, const HostTensor& source) {
  if (target.dtype() != source.dtype() || target.shape() != source.shape()) {
    throw std::invalid_argument(fmt::format(
        "copy_ into '{}' ({} {}) from a host tensor of {} {}: shapes and dtypes must match",
        target.name(), to_string(target.dtype()), shape_text(target.shape()),
        to_string(source.dtype()), shape_text(source.shape())));
  }
  const std::size_t item = itemsize(target.dtype());
  const std::uint64_t cols = target.placement().cols;
  if (simulation_.options().timing_only) {
    // Contents do not matter: every shard (all of one size) carries the same buffer.
    auto block = std::make_shared<const std::vector<unsigned char>>(target.shards().front().nbytes);
    for (const DeviceShard* s : distinct_storage(target.shards()))
      write_shard(*s, target, MemoryWrite::Pattern::data, block);
    return;
  }
  if (!source.has_storage()) {
    throw std::invalid_argument("copy_ into '" + target.name() +
                                "' from a host tensor without data");
  }
  for (const DeviceShard* shard : distinct_storage(target.shards())) {
    const DeviceShard& s = *shard;
    auto block = std::make_shared<std::vector<unsigned char>>(s.nbytes);
    for (std::uint64_t r = 0; r < s.rows; ++r) {
      std::memcpy(block->data() + r * s.cols * item,
                  source.bytes().data() + ((s.row_begin + r) * cols + s.col_begin) * item,
                  s.cols * item);
    }
    write_shard(s, target, MemoryWrite::Pattern::data, std::move(block));
  }
}

HostTensor RuntimeContext::to_host(const Tensor& tensor) {
  const bool timing_only = simulation_.options().timing_only;
  HostTensor out = timing_only ? HostTensor::shape_only(tensor.shape(), tensor.dtype())
                               : HostTensor(tensor.shape(), tensor.dtype());
  const std::size_t item = itemsize(tensor.dtype());
  const std::uint64_t cols = tensor.placement().cols;
  std::set<std::uint64_t> done;
  for (const DeviceShard& s : tensor.shards()) {
    if (!done.insert(s.block).second) continue;  // one replica of each block
    TraceEntry meta{"memory_read", tensor.name(), s.sip, s.cube, s.pe, s.nbytes};
    Handle h = submit(message(models::MemoryRead{s.pa.encode(), s.nbytes},
                              fmt::format("read_{}_pe{}", tensor.name(), s.pe), {s.pe}),
                      {{s.sip, s.cube}}, meta);
    wait(h);
    if (timing_only) continue;                   // no bytes came back
    const auto bytes = h.request->take_data(0);  // the handle keeps no copy
    for (std::uint64_t r = 0; r < s.rows; ++r) {
      std::memcpy(out.bytes().data() + ((s.row_begin + r) * cols + s.col_begin) * item,
                  bytes->data() + r * s.cols * item, s.cols * item);
    }
  }
  return out;
}

namespace {
// The first shard of each distinct block: what a SIP that shares the tensor maps.
std::vector<const DeviceShard*> one_replica_per_block(const Tensor::State& state) {
  std::vector<const DeviceShard*> out;
  std::set<std::uint64_t> blocks;
  for (const DeviceShard& s : state.shards) {
    if (blocks.insert(s.block).second) out.push_back(&s);
  }
  return out;
}
}  // namespace

std::vector<CubeTarget> RuntimeContext::every_cube(std::uint32_t sip) const {
  std::vector<CubeTarget> targets;
  for (std::uint32_t c = 0; c < machine_.cubes_per_sip; ++c) targets.push_back({sip, c});
  return targets;
}

std::vector<CubeTarget> RuntimeContext::share_targets(const Tensor::State& state,
                                                      std::uint32_t sip) const {
  std::set<std::uint32_t> holding;
  for (const DeviceShard& s : state.shards) {
    if (s.sip == sip) holding.insert(s.cube);
  }
  std::vector<CubeTarget> targets;
  for (const CubeTarget& c : every_cube(sip)) {
    if (holding.count(c.cube) == 0) targets.push_back(c);
  }
  return targets;
}

void RuntimeContext::share(const Tensor& tensor, std::uint32_t sip) {
  std::vector<std::uint32_t>& shared = tensor.state().shared_sips;
  if (std::find(shared.begin(), shared.end(), sip) != shared.end()) return;
  std::vector<CubeTarget> targets = share_targets(tensor.state(), sip);
  shared.push_back(sip);
  if (targets.empty()) return;  // every cube of the SIP maps it already
  models::MmuMap map;
  for (const DeviceShard* s : one_replica_per_block(tensor.state())) {
    map.entries.push_back({tensor.va_base() + s->offset_bytes, s->pa.encode(), s->nbytes});
  }
  TraceEntry meta{"mmu_map", tensor.name(), sip, std::nullopt, std::nullopt, 0};
  wait(submit(message(std::move(map), fmt::format("share_{}_s{}", tensor.name(), sip), all_pes()),
              std::move(targets), meta));
}

void RuntimeContext::free(Tensor& tensor) {
  Tensor::State& state = tensor.state();  // throws if already freed
  std::vector<Handle> pending;
  for (std::uint32_t sip : state.shared_sips) {
    std::vector<CubeTarget> targets = share_targets(state, sip);
    if (targets.empty()) continue;
    models::MmuUnmap unmap;
    for (const DeviceShard* s : one_replica_per_block(state))
      unmap.entries.push_back({state.va_base + s->offset_bytes, s->nbytes});
    TraceEntry meta{"mmu_unmap", state.name, sip, std::nullopt, std::nullopt, 0};
    pending.push_back(
        submit(message(std::move(unmap), fmt::format("unshare_{}_s{}", state.name, sip), all_pes()),
               std::move(targets), meta));
  }
  // As the seed: a cube-replicated tensor is unmapped per (sip, cube), each waited in turn.
  // Any other tensor is unmapped everywhere at once: the seed sent one message to all its
  // SIPs; here each SIP's MMUs get the entries they mapped (an MMU faults on an unmap of a
  // range it does not hold), and every SIP's message is submitted before any is waited on.
  const bool per_cube = state.policy.cube == Split::replicate;
  std::map<std::pair<std::uint32_t, std::uint32_t>, models::MmuUnmap> groups;
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::set<std::uint32_t>> cubes;
  for (const DeviceShard& s : state.shards) {
    const auto key = std::make_pair(s.sip, per_cube ? s.cube : 0U);
    groups[key].entries.push_back({state.va_base + s.offset_bytes, s.nbytes});
    cubes[key].insert(s.cube);
  }
  for (auto& [key, unmap] : groups) {
    std::vector<CubeTarget> targets;
    for (std::uint32_t c : cubes[key]) targets.push_back({key.first, c});
    const std::string label =
        per_cube ? fmt::format("unmap_{}_s{}c{}", state.name, key.first, key.second)
                 : fmt::format("unmap_{}_s{}", state.name, key.first);
    TraceEntry meta{
        "mmu_unmap",  state.name,
        key.first,    per_cube ? std::optional<std::uint32_t>(key.second) : std::nullopt,
        std::nullopt, 0};
    Handle h = submit(message(std::move(unmap), label, all_pes()), targets, meta);
    if (per_cube) {
      wait(h);
    } else {
      pending.push_back(std::move(h));
    }
  }
  for (const Handle& h : pending) wait(h);
  va_.free(state.va_base, state.placement.nbytes());
  release(state.shards);
  state.freed = true;
}

void RuntimeContext::close() {
  for (const auto& state : tensors_) {
    if (state->freed) continue;
    Tensor t(state);
    free(t);
  }
  tensors_.clear();
}

Handle RuntimeContext::submit(std::shared_ptr<models::ControlMessage> m,
                              std::vector<CubeTarget> targets, TraceEntry meta) {
  m->correlation_id = correlation_id_;
  meta.correlation_id = correlation_id_;
  meta.request_id = m->label;
  Handle h{host_.submit(std::move(m), std::move(targets)), std::move(meta)};
  handles_.push_back(h);
  return h;
}

void RuntimeContext::wait(const Handle& h) {
  host_.wait(*h.request);
  if (!waited_.insert(h.request.get()).second) return;  // traced on its first wait
  TraceEntry entry = h.meta;
  entry.submitted_ns = ns(h.request->submitted_ps());
  models::Picoseconds started = ~0ULL;
  models::Picoseconds finished = 0;
  for (const models::Completion& c : h.request->completions()) {
    started = std::min(started, c.started_ps);
    finished = std::max(finished, c.finished_ps);
  }
  entry.started_ns = ns(started);
  entry.finished_ns = ns(finished);
  traces_.push_back(std::move(entry));
}

bool RuntimeContext::is_completed(const Handle& h) const {
  return waited_.count(h.request.get()) != 0;
}

bool RuntimeContext::is_finished(const Handle& h) const { return h.request->is_completed(); }

void RuntimeContext::wait_all() {
  for (std::size_t i = 0; i < handles_.size(); ++i) {
    if (!is_completed(handles_[i])) wait(handles_[i]);
  }
}

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

std::vector<Handle> RuntimeContext::launch_on_and_wait(const std::string& name, KernelFn kernel,
                                                       std::vector<LaunchArg> args,
                                                       const PeScope& scope) {
  const std::vector<Handle> pending =
      launch_on_async(name, std::move(kernel), std::move(args), scope);
  for (const Handle& h : pending) wait(h);
  return pending;
}

std::vector<Handle> RuntimeContext::launch_on_async(const std::string& name, KernelFn kernel,
                                                    std::vector<LaunchArg> args,
                                                    const PeScope& scope) {
  std::vector<Handle> pending =
      submit_launches(name, std::move(kernel), std::move(args), scope.cubes, scope.pes);
  if (pending.empty()) throw std::invalid_argument("launch of '" + name + "' on no PE");
  return pending;
}

std::vector<Handle> RuntimeContext::submit_launches(
    const std::string& name, KernelFn kernel, std::vector<LaunchArg> args,
    const std::map<std::uint32_t, std::set<std::uint32_t>>& cubes_by_sip,
    std::vector<std::uint32_t> pes) {
  auto program = std::make_shared<BoundKernel>(
      name, std::move(kernel), std::move(args), pes, core_costs(),
      [this](const models::PeLocation& at) { return scratch_for(at); });
  std::vector<Handle> pending;
  for (const auto& [sip, cubes] : cubes_by_sip) {
    std::vector<CubeTarget> targets;
    for (std::uint32_t c : cubes) targets.push_back({sip, c});
    TraceEntry meta{"kernel",
                    name,
                    sip,
                    std::nullopt,
                    pes.size() == 1 ? std::optional<std::uint32_t>(pes[0]) : std::nullopt,
                    0};
    pending.push_back(submit(
        message(models::KernelLaunch{name, program}, fmt::format("{}_sip{}", name, sip), pes),
        targets, meta));
  }
  return pending;
}

void RuntimeContext::set_thread_rank(std::uint32_t rank) { thread_ranks_.set(rank); }

std::optional<std::uint32_t> RuntimeContext::thread_rank() const { return thread_ranks_.get(); }

IpcqPlan RuntimeContext::install_ipcq(const std::string& algorithm, const std::string& ccl_yaml,
                                      std::optional<std::uint32_t> world_size_override,
                                      const std::vector<PeCoord>* rank_to_pe) {
  const CclConfig config = ccl_yaml.empty() ? default_ccl_config() : load_ccl_config(ccl_yaml);
  CclAlgorithmConfig chosen = config.resolve(algorithm);
  if (world_size_override) chosen.world_size = *world_size_override;
  const auto& ipcq = topology_.cube.pe_template.components.pe_ipcq.attrs;
  IpcqPlan plan = build_plan(
      chosen, machine_, static_cast<std::uint32_t>(topology_.sip.cube_mesh.w),
      static_cast<std::uint32_t>(topology_.sip.cube_mesh.h), rank_to_pe,
      static_cast<std::uint64_t>(ipcq.depth), static_cast<std::uint64_t>(ipcq.entry_bytes));
  send_ipcq_inits({plan});
  return plan;
}

ProcessGroups RuntimeContext::install_process_groups(
    const std::string& algorithm, const std::string& ccl_yaml,
    const std::vector<std::vector<PeCoord>>& groups) {
  const CclConfig config = ccl_yaml.empty() ? default_ccl_config() : load_ccl_config(ccl_yaml);
  const auto& ipcq = topology_.cube.pe_template.components.pe_ipcq.attrs;
  std::vector<IpcqPlan> plans;
  for (const std::vector<PeCoord>& group : groups) {
    CclAlgorithmConfig chosen = config.resolve(algorithm);
    chosen.world_size = static_cast<std::int64_t>(group.size());
    plans.push_back(build_plan(
        chosen, machine_, static_cast<std::uint32_t>(topology_.sip.cube_mesh.w),
        static_cast<std::uint32_t>(topology_.sip.cube_mesh.h), &group,
        static_cast<std::uint64_t>(ipcq.depth), static_cast<std::uint64_t>(ipcq.entry_bytes)));
  }
  ProcessGroups installed(std::move(plans));
  send_ipcq_inits(installed.plans());
  return installed;
}

void RuntimeContext::send_ipcq_inits(const std::vector<IpcqPlan>& plans) {
  // One IpcqInit per participating cube, naming each of its ranks' neighbours' endpoints.
  std::map<std::pair<std::uint32_t, std::uint32_t>, models::IpcqInit> inits;
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::set<std::uint32_t>> pes;
  for (const IpcqPlan& plan : plans) {
    for (std::uint32_t r = 0; r < plan.world_size; ++r) {
      const PeCoord& pe = plan.rank_to_pe[r];
      models::IpcqRankEntry entry{pe.pe, r, {}};
      for (std::uint32_t n : plan.neighbours[r]) {
        const PeCoord& peer = plan.rank_to_pe[n];
        entry.neighbours.push_back(
            {n, models::PhysAddr::mmio(peer.sip, peer.cube, peer.pe).encode()});
      }
      inits[{pe.sip, pe.cube}].ranks.push_back(std::move(entry));
      pes[{pe.sip, pe.cube}].insert(pe.pe);
    }
  }
  const std::string algorithm = plans.empty() ? "" : plans.front().config.algorithm;
  std::vector<Handle> pending;
  for (auto& [cube, init] : inits) {
    TraceEntry meta{"ipcq_init", algorithm, cube.first, cube.second, std::nullopt, 0};
    const auto& in_cube = pes[cube];
    pending.push_back(
        submit(message(std::move(init), fmt::format("ipcq_s{}c{}", cube.first, cube.second),
                       {in_cube.begin(), in_cube.end()}),
               {{cube.first, cube.second}}, meta));
  }
  for (const Handle& h : pending) wait(h);
}

std::vector<Handle> RuntimeContext::launch_async(const std::string& name, KernelFn kernel,
                                                 std::vector<LaunchArg> args) {
  std::set<std::uint32_t> pes;
  bool every_pe = false;
  std::map<std::uint32_t, std::set<std::uint32_t>> cubes_by_sip;
  for (const LaunchArg& arg : args) {
    const auto* t = std::get_if<Tensor>(&arg.value());
    if (t == nullptr) continue;
    every_pe = every_pe || t->on_all_pes(machine_.pes_per_cube);
    for (const DeviceShard& s : t->shards()) {
      pes.insert(s.pe);
      cubes_by_sip[s.sip].insert(s.cube);
    }
  }
  std::vector<std::uint32_t> target_pes =
      every_pe ? all_pes() : std::vector<std::uint32_t>(pes.begin(), pes.end());
  if (target_pes.empty()) target_pes = {0};
  if (cubes_by_sip.empty()) cubes_by_sip[static_cast<std::uint32_t>(machine_.first_sip)] = {0};
  return submit_launches(name, std::move(kernel), std::move(args), cubes_by_sip,
                         std::move(target_pes));
}

std::vector<Handle> RuntimeContext::launch_and_wait(const std::string& name,
                                                    std::vector<LaunchArg> args) {
  return launch_and_wait(name, kernel_registry().get(name).fn, std::move(args));
}

std::vector<Handle> RuntimeContext::launch_and_wait(const std::string& name, KernelFn kernel,
                                                    std::vector<LaunchArg> args) {
  std::vector<Handle> pending = launch_async(name, std::move(kernel), std::move(args));
  for (const Handle& h : pending) wait(h);
  return pending;
}

}  // namespace kb::runtime

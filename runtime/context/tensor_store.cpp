#include "runtime/context/tensor_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <set>

namespace kb::runtime {

using models::CubeTarget;
using models::MemoryWrite;

TensorStore::TensorStore(Requests& requests, DeviceMemory& memory, const MachineShape& machine,
                         bool timing_only)
    : requests_(requests), memory_(memory), machine_(machine), timing_only_(timing_only) {}

std::vector<std::uint32_t> TensorStore::all_pes() const {
  std::vector<std::uint32_t> pes(static_cast<std::size_t>(machine_.pes_per_cube));
  for (std::uint32_t p = 0; p < pes.size(); ++p) pes[p] = p;
  return pes;
}

std::size_t TensorStore::live_tensors() const {
  return static_cast<std::size_t>(
      std::count_if(tensors_.begin(), tensors_.end(), [](const auto& s) { return !s->freed; }));
}

Tensor TensorStore::create(const std::vector<std::int64_t>& shape, DType dtype, const DPPolicy& dp,
                           const std::string& name, bool zero, std::optional<std::int64_t> device) {
  const std::shared_ptr<Tensor::State> state = memory_.place(
      name.empty() ? fmt::format("t{}", ++tensor_counter_) : name, shape, dtype, dp, device);
  tensors_.push_back(state);
  Tensor tensor(state);
  map(tensor);
  if (zero) {
    for (const DeviceShard* s : DeviceMemory::distinct_storage(tensor.shards()))
      write_shard(*s, tensor, MemoryWrite::Pattern::zero, nullptr);
  }
  return tensor;
}

void TensorStore::map(const Tensor& tensor) {
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
    requests_.wait(
        requests_.submit(control_message(std::move(map), label, all_pes()), targets, meta));
  }
}

void TensorStore::write_shard(const DeviceShard& s, const Tensor& tensor,
                              MemoryWrite::Pattern pattern,
                              std::shared_ptr<const std::vector<unsigned char>> data) {
  TraceEntry meta{"memory_write", tensor.name(), s.sip, s.cube, s.pe, s.nbytes};
  requests_.wait(requests_.submit(
      control_message(MemoryWrite{s.pa.encode(), s.nbytes, pattern, std::move(data)},
                      fmt::format("deploy_{}_pe{}", tensor.name(), s.pe), {s.pe}),
      {{s.sip, s.cube}}, meta));
}

void TensorStore::copy_(const Tensor& target, const HostTensor& source) {
  if (target.dtype() != source.dtype() || target.shape() != source.shape()) {
    throw std::invalid_argument(fmt::format(
        "copy_ into '{}' ({} {}) from a host tensor of {} {}: shapes and dtypes must match",
        target.name(), to_string(target.dtype()), shape_text(target.shape()),
        to_string(source.dtype()), shape_text(source.shape())));
  }
  const std::size_t item = itemsize(target.dtype());
  const std::uint64_t cols = target.placement().cols;
  if (timing_only_) {
    // Contents do not matter: the writes carry none (a buffer of a shard's size, zeroed,
    // cost a second per GiB placed).
    for (const DeviceShard* s : DeviceMemory::distinct_storage(target.shards()))
      write_shard(*s, target, MemoryWrite::Pattern::data, nullptr);
    return;
  }
  if (!source.has_storage()) {
    throw std::invalid_argument("copy_ into '" + target.name() +
                                "' from a host tensor without data");
  }
  for (const DeviceShard* shard : DeviceMemory::distinct_storage(target.shards())) {
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

HostTensor TensorStore::to_host(const Tensor& tensor) {
  const bool timing_only = timing_only_;
  HostTensor out = timing_only ? HostTensor::shape_only(tensor.shape(), tensor.dtype())
                               : HostTensor(tensor.shape(), tensor.dtype());
  const std::size_t item = itemsize(tensor.dtype());
  const std::uint64_t cols = tensor.placement().cols;
  std::set<std::uint64_t> done;
  for (const DeviceShard& s : tensor.shards()) {
    if (!done.insert(s.block).second) continue;  // one replica of each block
    TraceEntry meta{"memory_read", tensor.name(), s.sip, s.cube, s.pe, s.nbytes};
    Handle h =
        requests_.submit(control_message(models::MemoryRead{s.pa.encode(), s.nbytes},
                                         fmt::format("read_{}_pe{}", tensor.name(), s.pe), {s.pe}),
                         {{s.sip, s.cube}}, meta);
    requests_.wait(h);
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

std::vector<CubeTarget> TensorStore::share_targets(const Tensor::State& state,
                                                   std::uint32_t sip) const {
  std::set<std::uint32_t> holding;
  for (const DeviceShard& s : state.shards) {
    if (s.sip == sip) holding.insert(s.cube);
  }
  std::vector<CubeTarget> targets;
  for (std::uint32_t c = 0; c < machine_.cubes_per_sip; ++c) {
    if (holding.count(c) == 0) targets.push_back({sip, c});
  }
  return targets;
}

void TensorStore::share(const Tensor& tensor, std::uint32_t sip) {
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
  requests_.wait(requests_.submit(
      control_message(std::move(map), fmt::format("share_{}_s{}", tensor.name(), sip), all_pes()),
      std::move(targets), meta));
}

void TensorStore::free(Tensor& tensor) {
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
        requests_.submit(control_message(std::move(unmap),
                                         fmt::format("unshare_{}_s{}", state.name, sip), all_pes()),
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
    Handle h = requests_.submit(control_message(std::move(unmap), label, all_pes()), targets, meta);
    if (per_cube) {
      requests_.wait(h);
    } else {
      pending.push_back(std::move(h));
    }
  }
  for (const Handle& h : pending) requests_.wait(h);
  memory_.release(state.va_base, state.placement.nbytes(), state.shards);
  state.freed = true;
}

void TensorStore::close() {
  for (const auto& state : tensors_) {
    if (state->freed) continue;
    Tensor t(state);
    free(t);
  }
  tensors_.clear();
}

}  // namespace kb::runtime

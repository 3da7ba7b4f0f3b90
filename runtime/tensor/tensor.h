#pragma once
// A device tensor: a handle shared like a torch tensor. It owns a virtual range of its
// context and one physical allocation per shard; the context frees it (unmaps, returns
// VA and PA) on free() or when the context closes. Using a freed tensor is an error.

#include "models/protocol/phys_addr.h"
#include "runtime/tensor/dp_policy.h"

#include <memory>
#include <string>
#include <vector>

namespace kb::runtime {

struct DeviceShard : Shard {
  models::PhysAddr pa;
};

class Tensor {
 public:
  struct State {
    explicit State(DPPolicy dp) : policy(std::move(dp)) {}
    std::string name;
    std::vector<std::int64_t> shape;
    DType dtype = DType::f32;
    DPPolicy policy;
    Placement placement;
    std::uint64_t va_base = 0;
    std::vector<DeviceShard> shards;
    std::vector<std::uint32_t> shared_sips;  // other SIPs it is mapped into (share())
    bool freed = false;
  };

  Tensor() = default;
  explicit Tensor(std::shared_ptr<State> state) : state_(std::move(state)) {}

  const std::string& name() const { return live().name; }
  const std::vector<std::int64_t>& shape() const { return live().shape; }
  DType dtype() const { return live().dtype; }
  const DPPolicy& policy() const { return live().policy; }
  const Placement& placement() const { return live().placement; }
  std::uint64_t va_base() const { return live().va_base; }
  const std::vector<DeviceShard>& shards() const { return live().shards; }
  std::uint64_t nbytes() const { return live().placement.nbytes(); }
  bool valid() const { return state_ && !state_->freed; }

  // The PEs (within their cube) that hold shards: the seed's target_pe inference.
  std::vector<std::uint32_t> holding_pes() const;
  // True when the shards cover every PE of a cube (the seed's target_pe = "all").
  bool on_all_pes(std::int64_t pes_per_cube) const;

  State& state() const { return live(); }
  const std::shared_ptr<State>& shared_state() const { return state_; }

 private:
  State& live() const;
  std::shared_ptr<State> state_;
};

}  // namespace kb::runtime

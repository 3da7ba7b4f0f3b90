#include "runtime/tensor/tensor.h"

#include <algorithm>
#include <set>

namespace kb::runtime {

Tensor::State& Tensor::live() const {
  if (!state_) throw std::logic_error("use of an empty tensor handle");
  if (state_->freed)
    throw std::logic_error("use of tensor '" + state_->name + "' after it was freed");
  return *state_;
}

std::vector<std::uint32_t> Tensor::holding_pes() const {
  std::set<std::uint32_t> pes;
  for (const DeviceShard& s : shards()) pes.insert(s.pe);
  return {pes.begin(), pes.end()};
}

bool Tensor::on_all_pes(std::int64_t pes_per_cube) const {
  return static_cast<std::int64_t>(holding_pes().size()) == pes_per_cube;
}

}  // namespace kb::runtime

// A mixture of experts' combine: out[t] = (out[t] when accumulating: the shared experts'
// output) + sum over the token's chosen experts k of gates[t, k] x the expert's output row
// for it, in f32. The experts' outputs are in J tensors (one per expert a rank holds, as
// the all-to-all returned them); which tensor and row holds each (t, k) rides in the
// launch's arguments, as the host that routed the step sends it.
#include "runtime/kernels/registry.h"
#include "runtime/kernels/row_walk.h"

namespace kb::runtime {

namespace {

// args: (out, gates, accumulate, J, outputs_0 .. outputs_J-1, (slot, row) per (t, k))
constexpr std::size_t kFirstOutput = 4;

void expert_combine(KernelContext& k) {
  const TensorView& out = k.tensor(0);
  const TensorView& gates = k.tensor(1);
  const bool accumulate = k.int_arg(2) != 0;
  const auto slots = static_cast<std::size_t>(k.int_arg(3));
  const std::size_t first_pair = kFirstOutput + slots;
  const std::int64_t tokens = out.global_rows(), cols = out.global_cols();
  const std::int64_t per_token = gates.global_cols();
  if (gates.global_rows() != tokens ||
      static_cast<std::int64_t>(k.num_args() - first_pair) != 2 * tokens * per_token) {
    throw std::invalid_argument(
        fmt::format("expert_combine: {} tokens with {} x {} gates need {} (slot, row) pairs",
                    tokens, gates.global_rows(), per_token, tokens * per_token));
  }
  // A PE works on its own block of `out`: those rows, those columns of each expert's row.
  if (!out.own_block()) return;
  const Block& own = *out.own_block();
  const std::int64_t col0 = out.col0() + own.col0, width = own.cols;
  for (std::int64_t i = 0; i < own.rows; ++i) {
    const std::int64_t row = out.row0() + own.row0 + i;
    const Tile g = k.wait(k.load_global_async(gates, row, 0, 1, per_token));
    Tile sum = accumulate
                   ? k.cast(k.wait(k.load_global_async(out, row, col0, 1, width)), DType::f32)
                   : k.full(1, width, DType::f32, 0.0);
    for (std::int64_t j = 0; j < per_token; ++j) {
      const std::size_t pair = first_pair + 2 * static_cast<std::size_t>(row * per_token + j);
      const std::int64_t slot = k.int_arg(pair), from = k.int_arg(pair + 1);
      if (slot < 0 || static_cast<std::size_t>(slot) >= slots) {
        throw std::invalid_argument(
            fmt::format("expert_combine: token {} reads slot {} of {}", row, slot, slots));
      }
      const TensorView& outputs = k.tensor(kFirstOutput + static_cast<std::size_t>(slot));
      if (from < 0 || from >= outputs.global_rows() || outputs.global_cols() != cols) {
        throw std::invalid_argument(
            fmt::format("expert_combine: token {} reads row {} of a {} x {} "
                        "output",
                        row, from, outputs.global_rows(), outputs.global_cols()));
      }
      const Tile y = k.cast(k.wait(k.load_global_async(outputs, from, col0, 1, width)), DType::f32);
      sum = k.add(sum, k.mul(y, g.has_values() ? g.at(0, j) : 0.0));
    }
    k.store_global_async(out, row, col0, k.cast(sum, out.dtype()));
  }
}

// Each token's chosen rows read, scaled and added (two passes each); the gates read; the
// output read when accumulating, and written.
KernelWork work(const std::vector<WorkArg>& args) {
  const TensorShape& out = tensor_arg("expert_combine", args, 0);
  const TensorShape& gates = tensor_arg("expert_combine", args, 1);
  const bool accumulate = scalar_arg("expert_combine", args, 2) != 0;
  TensorShape rows = out;
  rows.shape = {static_cast<std::int64_t>(out.rows() * gates.cols()),
                static_cast<std::int64_t>(out.cols())};
  KernelWork w;
  w.moves(rows);
  w.moves(gates);
  w.moves(out);
  if (accumulate) w.moves(out);
  w.vector(rows, 2);
  return w;
}

}  // namespace

KB_REGISTER_KERNEL(expert_combine,
                   "(out, gates, accumulate, J, outputs_0 .. outputs_J-1, slot_0, row_0, ...)",
                   "out[t] (+)= sum_k gates[t, k] x outputs_slot[row] for the token's experts",
                   expert_combine, work);

}  // namespace kb::runtime

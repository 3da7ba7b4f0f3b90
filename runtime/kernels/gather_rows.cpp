// out row i = table row r_i: an embedding lookup (the rows are the tokens' ids), the last
// token of each sequence picked from the hidden states for the LM head, or the tokens a
// mixture of experts dispatches to an expert (r_i = -1: a row of zeros, the padding of a
// fixed-capacity buffer). The row numbers ride
// in the launch's arguments, as the host that knows the tokens sends them, so a timing-only
// run reads the rows a functional one does.
#include "runtime/kernels/registry.h"
#include "runtime/kernels/row_walk.h"

namespace kb::runtime {

namespace {

constexpr std::size_t kFirstRow = 2;  // args: (table, out, r_0, r_1, ...)

void gather_rows(KernelContext& k) {
  const TensorView& table = k.tensor(0);
  const TensorView& out = k.tensor(1);
  const auto rows = static_cast<std::int64_t>(k.num_args() - kFirstRow);
  if (out.global_rows() != rows || out.global_cols() != table.global_cols() ||
      out.dtype() != table.dtype()) {
    throw std::invalid_argument(
        fmt::format("gather_rows: {} rows of a {} x {} {} table into a {} x {} {} output", rows,
                    table.global_rows(), table.global_cols(), to_string(table.dtype()),
                    out.global_rows(), out.global_cols(), to_string(out.dtype())));
  }
  require_whole_rows(out, "gather_rows");
  if (!out.own_block()) return;
  const Block& own = *out.own_block();
  for (std::int64_t i = 0; i < own.rows; ++i) {
    const std::int64_t row = out.row0() + own.row0 + i;
    const std::int64_t from = k.int_arg(kFirstRow + static_cast<std::size_t>(row));
    if (from < -1 || from >= table.global_rows()) {
      throw std::invalid_argument(
          fmt::format("gather_rows: row {} asks for row {} of {}", row, from, table.global_rows()));
    }
    k.store_global_async(out, row, 0,
                         from < 0
                             ? k.full(1, out.global_cols(), out.dtype(), 0.0)
                             : k.wait(k.load_global_async(table, from, 0, 1, table.global_cols())));
  }
}

// The output's bytes read from the table and written.
KernelWork work(const std::vector<WorkArg>& args) {
  KernelWork w;
  const TensorShape& out = tensor_arg("gather_rows", args, 1);
  w.moves(out);
  w.moves(out);
  return w;
}

}  // namespace

KB_REGISTER_KERNEL(
    gather_rows, "(table, out, r_0, r_1, ...)",
    "out row i = table row r_i, zeros for r_i = -1 (embedding lookups, picking rows, "
    "dispatching tokens)",
    gather_rows, work);

}  // namespace kb::runtime

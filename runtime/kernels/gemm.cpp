// C = A . B, tiled through TCM and double-buffered: while the core multiplies one K-slice,
// the DMA stages the next. Inputs and results: f16 or bf16 into f32, f16 or bf16 (f32
// accumulation), f32 into f32, i8 into i32 (exact i32 accumulation).
#include "runtime/kernels/gemm.h"

#include "runtime/kernels/registry.h"

#include <fmt/format.h>

namespace kb::runtime {

bool gemm_output_allowed(DType inputs, DType output) {
  switch (inputs) {
    case DType::f16:
    case DType::bf16: return output == DType::f32 || output == DType::f16 || output == DType::bf16;
    case DType::f32: return output == DType::f32;
    case DType::i8: return output == DType::i32;
    default: return false;
  }
}

namespace {

// Tile sizes: the PE's C block in pieces of at most kTileM x kTileN, K in slices of kTileK.
constexpr std::int64_t kTileM = 256;
constexpr std::int64_t kTileN = 512;
constexpr std::int64_t kTileK = 256;

void gemm(KernelContext& k) {
  const TensorView& a = k.tensor(0);
  const TensorView& b = k.tensor(1);
  const TensorView& c = k.tensor(2);
  const TensorView* bias = k.num_args() > 3 ? &k.tensor(3) : nullptr;
  const std::int64_t K = a.global_cols();
  if (b.global_rows() != K || a.global_rows() != c.global_rows() ||
      b.global_cols() != c.global_cols()) {
    throw std::invalid_argument(fmt::format("gemm: ({} x {}) . ({} x {}) into {} x {}",
                                            a.global_rows(), K, b.global_rows(), b.global_cols(),
                                            c.global_rows(), c.global_cols()));
  }
  if (a.dtype() != b.dtype() || !gemm_output_allowed(a.dtype(), c.dtype())) {
    throw std::invalid_argument(fmt::format("gemm: A {}, B {} into C {}: {}", to_string(a.dtype()),
                                            to_string(b.dtype()), to_string(c.dtype()),
                                            kGemmTypes));
  }
  if (bias != nullptr && (bias->global_rows() != 1 || bias->global_cols() != c.global_cols())) {
    throw std::invalid_argument(fmt::format("gemm: a bias of {} x {} for C of {} columns",
                                            bias->global_rows(), bias->global_cols(),
                                            c.global_cols()));
  }
  if (!c.own_block()) return;
  const Block& own = *c.own_block();
  const std::int64_t tk = std::min(kTileK, K);
  const std::uint64_t item = a.itemsize();
  const std::uint64_t a_bytes = static_cast<std::uint64_t>(std::min(kTileM, own.rows) * tk) * item;
  const std::uint64_t b_bytes = static_cast<std::uint64_t>(tk * std::min(kTileN, own.cols)) * item;
  const TcmBuffer a_buf[2] = {k.tcm_alloc(a_bytes), k.tcm_alloc(a_bytes)};
  const TcmBuffer b_buf[2] = {k.tcm_alloc(b_bytes), k.tcm_alloc(b_bytes)};

  for (std::int64_t i = 0; i < own.rows; i += kTileM) {
    for (std::int64_t j = 0; j < own.cols; j += kTileN) {
      const std::int64_t row0 = c.row0() + own.row0 + i;
      const std::int64_t col0 = c.col0() + own.col0 + j;
      const std::int64_t tm = std::min(kTileM, own.rows - i);
      const std::int64_t tn = std::min(kTileN, own.cols - j);
      auto stage = [&](std::int64_t k0, int slot) {
        const std::int64_t kk = std::min(tk, K - k0);
        return std::max(k.stage(a, row0, k0, tm, kk, a_buf[slot]),
                        k.stage(b, k0, col0, kk, tn, b_buf[slot]));
      };
      const DType accumulate = is_float(a.dtype()) ? DType::f32 : DType::i32;
      Tile acc = k.full(tm, tn, accumulate, 0.0);
      // Each cube walks the K slices from its own starting slice: when the cubes' PEs read
      // the same B columns (a weight stored once), they read different slices at a time
      // rather than all crowding one memory.
      const std::int64_t slices = (K + tk - 1) / tk;
      const std::int64_t first = static_cast<std::int64_t>(k.location().cube) % slices;
      auto slice_k0 = [&](std::int64_t step) { return (first + step) % slices * tk; };
      models::Picoseconds ready[2] = {stage(slice_k0(0), 0), 0};
      for (std::int64_t step = 0; step < slices; ++step) {
        const std::int64_t k0 = slice_k0(step);
        const int slot = static_cast<int>(step % 2);
        if (step + 1 < slices) ready[1 - slot] = stage(slice_k0(step + 1), 1 - slot);
        k.wait_until(ready[slot]);
        const std::int64_t kk = std::min(tk, K - k0);
        const Tile ta = k.load_tcm(a_buf[slot], tm, kk, a.dtype());
        const Tile tb = k.load_tcm(b_buf[slot], kk, tn, b.dtype());
        acc = k.dot(ta, tb, &acc);
      }
      // The epilogue: the bias row added to every row of the tile before the store.
      if (bias != nullptr) acc = k.add(acc, k.wait(k.load_global_async(*bias, 0, col0, 1, tn)));
      k.store_global_async(c, row0, col0, c.dtype() == accumulate ? acc : k.cast(acc, c.dtype()));
    }
  }
}

// C = A . B (+ bias): 2 M N K at the inputs' dtype; A, B and C each moved once; a bias is
// read and added once per element of C.
KernelWork work(const std::vector<WorkArg>& args) {
  const TensorShape& a = tensor_arg("gemm", args, 0);
  const TensorShape& b = tensor_arg("gemm", args, 1);
  const TensorShape& c = tensor_arg("gemm", args, 2);
  KernelWork w;
  w.flops[a.dtype] = 2 * a.rows() * a.cols() * b.cols();
  w.moves(a);
  w.moves(b);
  w.moves(c);
  if (args.size() > 3) {
    w.moves(tensor_arg("gemm", args, 3));
    w.vector(c, 1);
  }
  return w;
}

}  // namespace

KB_REGISTER_KERNEL(gemm, "(a, b, c[, bias])",
                   std::string("c = a . b (+ bias, a row added in the epilogue); ") + kGemmTypes +
                       "; tiled through TCM, double-buffered",
                   gemm, work);

}  // namespace kb::runtime

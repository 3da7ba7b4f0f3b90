// C = A . B, tiled through TCM and double-buffered: while the core multiplies one K-slice,
// the DMA stages the next. Inputs and results: f16 or bf16 into f32, f16 or bf16 (f32
// accumulation), f32 into f32, i8 into i32 (exact i32 accumulation); or B quantised, its
// codes and scales staged and each slice dequantised into A's dtype before the MACs.
#include "runtime/kernels/gemm.h"

#include "runtime/kernel/quantisation.h"
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

bool quantised_b(DType a, DType b) { return code_bits(b, a) != 0; }

void check_gemm(const char* kernel, const TensorView& a, const GemmProduct& p) {
  const TensorView& b = *p.b;
  const TensorView& c = *p.c;
  const std::int64_t K = a.global_cols();
  const int bits = p.scales != nullptr ? code_bits(b.dtype(), a.dtype()) : 0;
  if (p.scales != nullptr) {
    const TensorView& s = *p.scales;
    if (bits == 0 || !is_float(s.dtype()) || s.global_cols() != c.global_cols() ||
        K % s.global_rows() != 0 || K * bits % 8 != 0 || (K / s.global_rows()) * bits % 8 != 0) {
      throw std::invalid_argument(fmt::format(
          "{}: B {} with scales {} x {} {} for K {} and {} columns: codes i8 (int8) or u8 (int4), "
          "scales in a float type, one row per group of K (groups of whole bytes of codes)",
          kernel, to_string(b.dtype()), s.global_rows(), s.global_cols(), to_string(s.dtype()), K,
          c.global_cols()));
    }
  }
  const std::int64_t b_rows = bits != 0 ? code_rows(K, bits) : K;
  if (b.global_rows() != b_rows || a.global_rows() != c.global_rows() ||
      b.global_cols() != c.global_cols()) {
    throw std::invalid_argument(fmt::format("{}: ({} x {}) . ({} x {}{}) into {} x {}", kernel,
                                            a.global_rows(), K, b.global_rows(), b.global_cols(),
                                            bits != 0 ? fmt::format(" int{} codes", bits) : "",
                                            c.global_rows(), c.global_cols()));
  }
  if ((bits == 0 && a.dtype() != b.dtype()) || !gemm_output_allowed(a.dtype(), c.dtype())) {
    throw std::invalid_argument(fmt::format("{}: A {}, B {} into C {}: {}", kernel,
                                            to_string(a.dtype()), to_string(b.dtype()),
                                            to_string(c.dtype()), kGemmTypes));
  }
  if (p.bias != nullptr &&
      (p.bias->global_rows() != 1 || p.bias->global_cols() != c.global_cols())) {
    throw std::invalid_argument(fmt::format("{}: a bias of {} x {} for C of {} columns", kernel,
                                            p.bias->global_rows(), p.bias->global_cols(),
                                            c.global_cols()));
  }
  if (p.addend != nullptr &&
      (p.addend->global_rows() != c.global_rows() || p.addend->global_cols() != c.global_cols())) {
    throw std::invalid_argument(fmt::format("{}: an addend of {} x {} for C of {} x {}", kernel,
                                            p.addend->global_rows(), p.addend->global_cols(),
                                            c.global_rows(), c.global_cols()));
  }
}

namespace {

// Tile sizes: the PE's C block in pieces of at most kTileM x kTileN, K in slices of kTileK.
constexpr std::int64_t kTileM = 256;
constexpr std::int64_t kTileN = 512;
constexpr std::int64_t kTileK = 256;
// Flow fidelity stages runs of consecutive K slices as one stream per operand, a run
// holding up to this many bytes of A and B slices (KernelContext::stage_slices).
constexpr std::uint64_t kFlowRunBytes = 256 * 1024;

}  // namespace

void gemm_own_block(KernelContext& k, const TensorView& a, const GemmProduct& p, double rms_eps) {
  const TensorView& b = *p.b;
  const TensorView& c = *p.c;
  if (!c.own_block()) return;
  const Block& own = *c.own_block();
  const std::int64_t K = a.global_cols();
  const std::int64_t tk = std::min(kTileK, K);
  const std::uint64_t item = a.itemsize();
  // A quantised B: its codes are bits/8 bytes a weight; each slice's scales are its groups'
  // rows (at most tk / group + 2 of them, for a slice that straddles group bounds).
  const int bits = p.scales != nullptr ? code_bits(b.dtype(), a.dtype()) : 0;
  const std::int64_t group = bits != 0 ? K / p.scales->global_rows() : 0;
  auto b_rows = [&](std::int64_t rows) { return bits != 0 ? code_rows(rows, bits) : rows; };
  const std::int64_t scale_rows = bits != 0 ? std::min(p.scales->global_rows(), tk / group + 2) : 0;
  const std::int64_t max_tn = std::min(kTileN, own.cols);
  const std::uint64_t a_bytes = static_cast<std::uint64_t>(std::min(kTileM, own.rows) * tk) * item;
  const std::uint64_t b_bytes = static_cast<std::uint64_t>(b_rows(tk) * max_tn) * b.itemsize();
  const std::uint64_t s_bytes =
      bits != 0 ? static_cast<std::uint64_t>(scale_rows * max_tn) * p.scales->itemsize() : 0;
  // Slices staged together: in flow fidelity, as many as kFlowRunBytes and the TCM hold
  // (a quantised B's scales rows per slice vary, so it is staged slice by slice).
  std::int64_t run = 1;
  if (k.fidelity() == models::Fidelity::flow && bits == 0) {
    run = std::max<std::int64_t>(1, static_cast<std::int64_t>(kFlowRunBytes / (a_bytes + b_bytes)));
    while (run > 1 && 2 * static_cast<std::uint64_t>(run) * (a_bytes + b_bytes) > k.tcm_free()) {
      --run;
    }
  }
  const auto runs = static_cast<std::uint64_t>(run);
  const TcmBuffer a_buf[2] = {k.tcm_alloc(a_bytes * runs), k.tcm_alloc(a_bytes * runs)};
  const TcmBuffer b_buf[2] = {k.tcm_alloc(b_bytes * runs), k.tcm_alloc(b_bytes * runs)};
  const TcmBuffer s_buf[2] = {bits != 0 ? k.tcm_alloc(s_bytes) : TcmBuffer{},
                              bits != 0 ? k.tcm_alloc(s_bytes) : TcmBuffer{}};
  const bool normalise = rms_eps > 0;
  // The groups of scales rows [k0, k0 + kk) of the weight need.
  auto groups = [&](std::int64_t k0, std::int64_t kk) {
    return (k0 + kk - 1) / group - k0 / group + 1;
  };

  // Each PE walks its row tiles from its own starting tile: when every PE computes all rows
  // (an output split by columns), they read different rows of A at a time rather than all
  // crowding the few memories that hold the same rows.
  const std::int64_t row_tiles = (own.rows + kTileM - 1) / kTileM;
  const models::PeLocation& at = k.location();
  const std::int64_t first_row_tile =
      static_cast<std::int64_t>(at.cube * at.pes_per_cube + at.pe) % row_tiles;
  for (std::int64_t step_i = 0; step_i < row_tiles; ++step_i) {
    const std::int64_t i = (first_row_tile + step_i) % row_tiles * kTileM;
    for (std::int64_t j = 0; j < own.cols; j += kTileN) {
      const std::int64_t row0 = c.row0() + own.row0 + i;
      const std::int64_t col0 = c.col0() + own.col0 + j;
      const std::int64_t tm = std::min(kTileM, own.rows - i);
      const std::int64_t tn = std::min(kTileN, own.cols - j);
      const DType accumulate = is_float(a.dtype()) ? DType::f32 : DType::i32;
      Tile acc = k.full(tm, tn, accumulate, 0.0);
      Tile squares = normalise ? k.full(tm, 1, DType::f32, 0.0) : Tile();
      // Each PE walks the K slices from its own starting slice, its cube's index plus an
      // offset per PE: the cubes' PEs reading the same B columns (a weight stored once) read
      // different slices at a time rather than all crowding one memory, and a cube's PEs
      // read from as many memories as there are slices for them (a weight split by rows over
      // the cubes: one cube each) rather than all from one across the same mesh links.
      const std::int64_t slices = (K + tk - 1) / tk;
      const std::int64_t stride = std::max<std::int64_t>(1, slices / at.pes_per_cube);
      const std::int64_t first =
          (static_cast<std::int64_t>(at.cube) + static_cast<std::int64_t>(at.pe) * stride) % slices;
      auto slice_k0 = [&](std::int64_t step) { return (first + step) % slices * tk; };
      // A run's slices lie one after another in its buffers (stage_slices packs them so):
      // the rest of a buffer from a run's index-th slice on.
      const std::uint64_t a_slice = static_cast<std::uint64_t>(tm * tk) * item;
      const std::uint64_t b_slice = static_cast<std::uint64_t>(b_rows(tk) * tn) * b.itemsize();
      auto in_buf = [](const TcmBuffer& buf, std::uint64_t slice, std::int64_t index) {
        const std::uint64_t offset = static_cast<std::uint64_t>(index) * slice;
        return TcmBuffer{buf.pa + offset, buf.bytes - offset};
      };
      // Stages the steps [from, from + run) into `slot`'s buffers, a stream per operand for
      // each stretch of consecutive K (the walk's wrap ends one), and notes when each is in.
      // Staged one by one, two slices would be in flight at a time (the double buffer): each
      // in no earlier than a round trip after the one two before it, a round trip as the
      // first run's slices would take alone (later runs queue behind the ones before).
      std::vector<models::Picoseconds> ready(static_cast<std::size_t>(slices), 0);
      models::Picoseconds round_trip = 0;
      auto stage = [&](std::int64_t from, int slot) {
        const std::int64_t to = std::min(slices, from + run);
        for (std::int64_t s = from; s < to;) {
          const std::int64_t k0 = slice_k0(s);
          const std::int64_t n = std::min(to - s, slices - k0 / tk);
          const std::int64_t kk = std::min(n * tk, K - k0);
          const KernelContext::Staged in = k.stage_slices(
              {{&b, b_rows(k0), col0, b_rows(kk), tn, true, b_rows(tk),
                in_buf(b_buf[slot], b_slice, s - from)},
               {&a, row0, k0, tm, kk, false, tk, in_buf(a_buf[slot], a_slice, s - from)}});
          std::copy(in.ready.begin(), in.ready.end(), ready.begin() + s);
          if (from == 0) round_trip = std::max(round_trip, in.round_trip);
          if (bits != 0) {
            ready[static_cast<std::size_t>(s)] =
                std::max(ready[static_cast<std::size_t>(s)],
                         k.stage(*p.scales, k0 / group, col0, groups(k0, kk), tn, s_buf[slot]));
          }
          s += n;
        }
        for (std::int64_t s = std::max<std::int64_t>(from, 2); run > 1 && s < to; ++s) {
          ready[static_cast<std::size_t>(s)] =
              std::max(ready[static_cast<std::size_t>(s)],
                       ready[static_cast<std::size_t>(s - 2)] + round_trip);
        }
      };
      stage(0, 0);
      for (std::int64_t step = 0; step < slices; ++step) {
        const std::int64_t k0 = slice_k0(step);
        const int slot = static_cast<int>(step / run % 2);
        const std::int64_t in_run = step % run;
        if (in_run == 0 && step + run < slices) stage(step + run, 1 - slot);
        // Until the next run's staging the core touches only its own TCM: in flow fidelity
        // it synchronises once a run, when it stages the next (its first access does).
        const models::DeferredSync run_steps(k.pe(), run > 1);
        k.wait_until(ready[static_cast<std::size_t>(step)]);
        const std::int64_t kk = std::min(tk, K - k0);
        const Tile ta = k.load_tcm(in_buf(a_buf[slot], a_slice, in_run), tm, kk, a.dtype());
        const Tile tb =
            bits == 0 ? k.load_tcm(in_buf(b_buf[slot], b_slice, in_run), kk, tn, b.dtype())
                      : k.dequantise(k.load_tcm(b_buf[slot], b_rows(kk), tn, b.dtype()),
                                     k.load_tcm(s_buf[slot], groups(k0, kk), tn, p.scales->dtype()),
                                     bits, group, k0, kk, a.dtype());
        if (normalise) {
          const Tile af = k.cast(ta, DType::f32);
          squares = k.add(squares, k.row_sum(k.mul(af, af)));
        }
        acc = k.dot(ta, tb, &acc);
      }
      // The epilogue: the rows' normalisation, the bias row and the addend, then the store.
      if (normalise) {
        const double inv_k = 1.0 / static_cast<double>(K);
        acc = k.div(acc, k.sqrt(k.add(k.mul(squares, inv_k), rms_eps)));
      }
      if (p.bias != nullptr) {
        acc = k.add(acc, k.wait(k.load_global_async(*p.bias, 0, col0, 1, tn)));
      }
      if (p.addend != nullptr) {
        acc = k.add(acc, k.wait(k.load_global_async(*p.addend, row0, col0, tm, tn)));
      }
      k.store_global_async(c, row0, col0, c.dtype() == accumulate ? acc : k.cast(acc, c.dtype()));
    }
  }
}

KernelWork gemm_work(const TensorShape& a, const TensorShape& b, const TensorShape& c,
                     const TensorShape* bias, const TensorShape* addend, bool normalised,
                     const TensorShape* scales) {
  KernelWork w;
  w.flops[a.dtype] = 2 * a.rows() * a.cols() * b.cols();
  w.moves(a);
  w.moves(b);
  w.moves(c);
  if (scales != nullptr) {
    w.moves(*scales);
    w.dequant = a.cols() * b.cols();
  }
  if (bias != nullptr) {
    w.moves(*bias);
    w.vector(c, 1);
  }
  if (addend != nullptr) {
    w.moves(*addend);
    w.vector(c, 1);
  }
  if (normalised) {
    w.vector(a, 3);  // cast, square, row sum
    w.vector(c, 1);  // the rows' scale
  }
  return w;
}

namespace {

// Arguments (a, b, c[, bias]), or with B quantised (a, b_codes, scales, c[, bias]).
void gemm(KernelContext& k) {
  const std::size_t q = quantised_b(k.tensor(0).dtype(), k.tensor(1).dtype()) ? 1 : 0;
  const GemmProduct product{&k.tensor(1), &k.tensor(2 + q),
                            k.num_args() > 3 + q ? &k.tensor(3 + q) : nullptr, nullptr,
                            q != 0 ? &k.tensor(2) : nullptr};
  check_gemm("gemm", k.tensor(0), product);
  gemm_own_block(k, k.tensor(0), product, 0);
}

// C = A . B (+ bias): 2 M N K at the inputs' dtype; A, B and C each moved once; a bias is
// read and added once per element of C; a quantised B's scales read once, its weights
// dequantised.
KernelWork work(const std::vector<WorkArg>& args) {
  // In order, so that a wrong argument is named first.
  const TensorShape& a = tensor_arg("gemm", args, 0);
  const TensorShape& b = tensor_arg("gemm", args, 1);
  const std::size_t q = quantised_b(a.dtype, b.dtype) ? 1 : 0;
  const TensorShape& c = tensor_arg("gemm", args, 2 + q);
  return gemm_work(a, b, c, args.size() > 3 + q ? &tensor_arg("gemm", args, 3 + q) : nullptr,
                   nullptr, false, q != 0 ? &tensor_arg("gemm", args, 2) : nullptr);
}

}  // namespace

KB_REGISTER_KERNEL(gemm, "(a, b, c[, bias]) or (a, b_codes, scales, c[, bias])",
                   std::string("c = a . b (+ bias, a row added in the epilogue); ") + kGemmTypes +
                       "; tiled through TCM, double-buffered",
                   gemm, work);

}  // namespace kb::runtime

#pragma once
// The kernel programming model (docs/kernels.md): what a kernel function receives. It reads like
// Triton: a program id among the PEs the launch runs on in its cube, block loads and
// stores with masks, dot, elementwise arithmetic, reductions and casts on tiles, TCM
// scratch buffers, and IPCQ transfers to neighbour ranks. Every operation computes on real
// data (unless the run is timing-only) and costs what the PE's attributes say
// (docs/kernels.md lists each cost).

#include "models/protocol/kernel_program.h"
#include "runtime/kernel/quantisation.h"
#include "runtime/kernel/tensor_view.h"
#include "runtime/kernel/tile.h"

#include <functional>
#include <variant>

namespace kb::runtime {

// A scalar argument as the seed passes it: int -> i32, float -> f32.
struct Scalar {
  DType dtype = DType::i32;
  std::int64_t i = 0;
  double f = 0.0;
};

using KernelArgValue = std::variant<TensorView, Scalar>;

// The PE core's cost figures are its topology attributes
// (cube.pe_template.components.pe_core.attrs).
using CoreCosts = models::PeCoreAttrs;
// MACs per cycle of a dot product with `inputs` operands.
std::uint64_t macs_per_cycle(const CoreCosts& costs, DType inputs);
// The energy action of one of its MACs (the same classes of input as macs_per_cycle).
models::CoreWork mac_work(DType inputs);

// A scratch buffer in the PE's own TCM, freed when the kernel ends.
struct TcmBuffer {
  std::uint64_t pa = 0;  // encoded physical address
  std::uint64_t bytes = 0;
};

// A load in flight: its tile (values already there in functional runs) and when it lands.
struct PendingTile {
  Tile tile;
  models::Picoseconds done = 0;
};

// Hands out and takes back the PE's TCM scratch (the runtime's per-PE allocator).
struct TcmScratch {
  std::function<std::uint64_t(std::uint64_t bytes)> allocate;
  std::function<void(std::uint64_t pa, std::uint64_t bytes)> release;
  std::function<std::uint64_t()> largest_free;
};

class KernelContext {
 public:
  KernelContext(models::PeServices& pe, std::uint32_t program_id, std::uint32_t num_programs,
                std::vector<KernelArgValue> args, const std::string& kernel, CoreCosts costs,
                TcmScratch scratch);
  ~KernelContext();  // returns the TCM scratch
  KernelContext(const KernelContext&) = delete;
  KernelContext& operator=(const KernelContext&) = delete;

  models::PeServices& pe() { return pe_; }
  const models::PeLocation& location() const { return pe_.location(); }
  std::uint32_t program_id() const { return program_id_; }
  std::uint32_t num_programs() const { return num_programs_; }
  const std::string& kernel() const { return kernel_; }
  bool timing_only() const { return pe_.timing_only(); }
  const CoreCosts& costs() const { return costs_; }

  // Arguments, in launch order.
  std::size_t num_args() const { return args_.size(); }
  const TensorView& tensor(std::size_t index) const;
  std::int64_t int_arg(std::size_t index) const;
  double float_arg(std::size_t index) const;

  // --- Memory. Coordinates are in the view; `global` variants take the whole tensor's.
  // Loads rows x cols from (r0, c0). Elements outside the view, or where `mask` is 0,
  // read as `other` and are not fetched.
  Tile load(const TensorView& t, std::int64_t r0, std::int64_t c0, std::int64_t rows,
            std::int64_t cols, const Tile* mask = nullptr, double other = 0.0);
  PendingTile load_async(const TensorView& t, std::int64_t r0, std::int64_t c0, std::int64_t rows,
                         std::int64_t cols, const Tile* mask = nullptr, double other = 0.0);
  PendingTile load_global_async(const TensorView& t, std::int64_t r0, std::int64_t c0,
                                std::int64_t rows, std::int64_t cols);
  Tile wait(PendingTile pending);
  // Stores `tile` at (r0, c0), converted to the tensor's dtype. Elements outside the
  // view, or where `mask` is 0, are left alone.
  void store(const TensorView& t, std::int64_t r0, std::int64_t c0, const Tile& tile,
             const Tile* mask = nullptr);
  // `at`: through the MMU and port of that PE, `t` its view (PeServices::issue_write_at).
  models::Picoseconds store_async(const TensorView& t, std::int64_t r0, std::int64_t c0,
                                  const Tile& tile, const Tile* mask = nullptr,
                                  const models::PeLocation* at = nullptr);
  models::Picoseconds store_global_async(const TensorView& t, std::int64_t r0, std::int64_t c0,
                                         const Tile& tile);
  void wait_until(models::Picoseconds time) { pe_.wait_until(time); }
  // Waits for every access issued so far (the launch does this when the kernel returns).
  void fence() { pe_.wait_until(outstanding_); }

  // TCM scratch: allocate; fill from a tensor in global coordinates (a DMA, memory ->
  // TCM, that the core does not wait for: it returns when the data is in TCM); read into
  // a tile.
  TcmBuffer tcm_alloc(std::uint64_t bytes);
  models::Picoseconds stage(const TensorView& t, std::int64_t r0, std::int64_t c0,
                            std::int64_t rows, std::int64_t cols, const TcmBuffer& into);
  // One operand of stage_slices: the tile of `t` at (r0, c0) as consecutive slices of
  // `step` rows (`along_rows`) or columns (the last may be shorter), into `into`.
  struct Slices {
    const TensorView* t;
    std::int64_t r0, c0, rows, cols;
    bool along_rows;
    std::int64_t step;
    TcmBuffer into;

    std::int64_t count() const { return ((along_rows ? rows : cols) + step - 1) / step; }
    std::uint64_t bytes() const { return static_cast<std::uint64_t>(rows * cols) * t->itemsize(); }
    // A whole slice's (the last may hold fewer).
    std::uint64_t slice_bytes() const {
      return static_cast<std::uint64_t>(along_rows ? step * cols : rows * step) * t->itemsize();
    }
  };
  // When stage_slices has each slice in TCM, and how long staging the first alone would
  // take on idle resources: its path's latency, its bytes' time at the narrowest resource,
  // their write (0 for a single slice, staged by stage()).
  struct Staged {
    std::vector<models::Picoseconds> ready;
    models::Picoseconds round_trip = 0;
  };
  // Flow fidelity's streaming load: stages the operands' slices (as many for each), each
  // operand read as one stream per burst and written into TCM as one, slice i packed at
  // into.pa + i x its first slice's bytes in its own row-major order (where load_tcm reads
  // it). Staged one by one, the operands' slices would have come in turn, so slice i of
  // every operand is in once its share of all the streams' bytes has arrived, from the
  // first bytes' arrival to the last's, and been written; each slice's issue cost is paid.
  // One slice: stage(), operand by operand.
  Staged stage_slices(const std::vector<Slices>& operands);
  // The largest TCM buffer tcm_alloc can give now.
  std::uint64_t tcm_free() const { return scratch_.largest_free(); }
  Tile load_tcm(const TcmBuffer& from, std::int64_t rows, std::int64_t cols, DType dtype);
  void store_tcm(const TcmBuffer& into, const Tile& tile);

  // --- Compute. dot accumulates float inputs (f16, bf16, f32) in f32 and integer inputs
  // (i8) in i32; elementwise results take the first operand's dtype.
  Tile dot(const Tile& a, const Tile& b, const Tile* accumulate = nullptr);
  // a . b^T for b held row-major as n x k (attention's Q . K^T): the matrix unit reads
  // either layout, so it costs what dot does.
  Tile dot_nt(const Tile& a, const Tile& b, const Tile* accumulate = nullptr);
  Tile add(const Tile& a, const Tile& b);  // b may be a row (1 x n), column (n x 1) or 1 x 1
  Tile sub(const Tile& a, const Tile& b);
  Tile mul(const Tile& a, const Tile& b);
  Tile div(const Tile& a, const Tile& b);
  Tile maximum(const Tile& a, const Tile& b);
  Tile minimum(const Tile& a, const Tile& b);
  Tile add(const Tile& a, double b);
  Tile mul(const Tile& a, double b);
  Tile exp(const Tile& a);
  Tile log(const Tile& a);
  Tile sqrt(const Tile& a);
  Tile cos(const Tile& a);
  Tile sin(const Tile& a);
  Tile silu(const Tile& a);     // x / (1 + e^-x)
  Tile gelu(const Tile& a);     // x/2 (1 + erf(x / sqrt 2)), the exact form
  Tile row_max(const Tile& a);  // rows x 1
  Tile row_sum(const Tile& a);  // rows x 1
  Tile sum(const Tile& a);      // 1 x 1
  Tile cast(const Tile& a, DType dtype);
  // Rows [row0, row0 + rows) of a quantised weight from its codes and scales
  // (runtime/kernel/quantisation.h), as `dtype` values for the MAC array: at the
  // core's dequant_per_cycle values per cycle.
  Tile dequantise(const Tile& codes, const Tile& scales, int bits, std::int64_t group,
                  std::int64_t row0, std::int64_t rows, DType dtype);
  // Rows quantised to int8 with a scale each (a KV cache's tokens): three vector passes
  // (largest magnitude, divide, round); and back, at dequant_per_cycle.
  QuantisedTile quantise_rows(const Tile& rows, DType scale_dtype);
  Tile dequantise_rows(const Tile& codes, const Tile& scales, DType dtype);
  Tile transpose(const Tile& a);
  Tile full(std::int64_t rows, std::int64_t cols, DType dtype, double value);
  // A mask from element indices (iota comparisons): 1 where keep(r, c). It has values in
  // timing-only runs too, since it shapes the accesses it masks (one vector pass).
  // A template: it is called for every element of every tile it masks.
  template <class Keep>
  Tile mask(std::int64_t rows, std::int64_t cols, Keep&& keep) {
    charge_vector(rows * cols);
    Tile out(rows, cols, DType::u8, true);
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t c = 0; c < cols; ++c) out.set_exact(r, c, keep(r, c) ? 1.0 : 0.0);
    return out;
  }

  // IPCQ transfers of a tile's bytes to and from a neighbour rank, a send shaped in time as
  // `shape` says (models/protocol/stream_shape.h), returning when its last entry was issued;
  // recv returns when all of the tile is in. `at`: from the queues of that PE, as if this
  // core were its (PeServices::ipcq_send_at).
  models::Picoseconds send(std::uint32_t peer_rank, const Tile& tile,
                           const models::StreamShape& shape = {},
                           const models::PeLocation* at = nullptr);
  Tile recv(std::uint32_t peer_rank, std::int64_t rows, std::int64_t cols, DType dtype);
  // The same, returning once the tile's first bytes are in (flow fidelity; transaction
  // fidelity returns when all are), with when its first and last bytes arrived; flow frees
  // its queue entries no earlier than `taken_from`.
  struct Received {
    Tile tile;
    models::StreamArrival arrival;
  };
  Received recv_stream(std::uint32_t peer_rank, std::int64_t rows, std::int64_t cols, DType dtype,
                       models::Picoseconds taken_from = 0);
  // Whether a send of `send_bytes` to `to` ahead of a receive of `recv_bytes` from `from`
  // goes first (entry by entry: PeServices::ipcq_send_goes_first).
  bool send_goes_first(std::uint32_t to, std::uint64_t send_bytes, std::uint32_t from,
                       std::uint64_t recv_bytes) {
    return pe_.ipcq_send_goes_first(to, send_bytes, from, recv_bytes);
  }
  // Flow fidelity: comes to take the next transfer from `from`; waits until the receiver of
  // the transfers to `to` (sent from `at`'s queues, if not null) came for them, and returns
  // when the last of their entries left (PeServices::ipcq_begin_recv, ipcq_window_taken).
  void begin_recv(std::uint32_t from) { pe_.ipcq_begin_recv(from); }
  models::Picoseconds window_taken(std::uint32_t to, const models::PeLocation* at) {
    return pe_.ipcq_window_taken(to, at);
  }
  models::Fidelity fidelity() const { return pe_.fidelity(); }

 private:
  Tile integer_dot(const Tile& a, const Tile& b, const Tile* accumulate);
  // a . b once shapes are checked and the cost is charged.
  Tile multiply(const Tile& a, const Tile& b, const Tile* accumulate);
  const Scalar& scalar(std::size_t index) const;
  void charge_vector(std::int64_t elements);
  void charge_dequant(std::int64_t elements);
  // Makes the staging buffer hold at least `bytes`.
  void staging(std::size_t bytes);
  Tile elementwise(const Tile& a, const Tile& b, double (*op)(double, double), const char* name);
  Tile unary(const Tile& a, const std::function<double(double)>& op);
  // Reads the pieces of a tile; with `streams`, each piece as a stream of the slices
  // `streams` cuts it in, widening `arrived` to when their first bytes and last arrive
  // (stage_slices).
  PendingTile fetch(const TensorView& t, const Pieces& pieces, std::int64_t r0, std::int64_t c0,
                    std::int64_t rows, std::int64_t cols, const Tile* mask, double other,
                    const Slices* streams = nullptr, models::StreamArrival* arrived = nullptr);
  models::Picoseconds put(const TensorView& t, const Pieces& pieces, std::int64_t r0,
                          std::int64_t c0, const Tile& tile, const Tile* mask,
                          const models::PeLocation* at = nullptr);

  models::PeServices& pe_;
  std::uint32_t program_id_;
  std::uint32_t num_programs_;
  std::vector<KernelArgValue> args_;
  const std::string& kernel_;  // the bound kernel's name: it outlives the run
  CoreCosts costs_;
  TcmScratch scratch_;
  std::vector<TcmBuffer> tcm_;
  std::vector<unsigned char> staging_;   // bytes of the access in flight
  models::Picoseconds outstanding_ = 0;  // when the last issued access completes
};

using KernelFn = std::function<void(KernelContext&)>;

}  // namespace kb::runtime

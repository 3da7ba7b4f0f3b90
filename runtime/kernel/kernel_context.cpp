#include "runtime/kernel/kernel_context.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace kb::runtime {

std::uint64_t macs_per_cycle(const CoreCosts& costs, DType inputs) {
  switch (inputs) {
    case DType::f16: return static_cast<std::uint64_t>(costs.macs_per_cycle_f16);
    case DType::bf16: return static_cast<std::uint64_t>(costs.macs_per_cycle_bf16);
    case DType::i8:
    case DType::u8: return static_cast<std::uint64_t>(costs.macs_per_cycle_i8);
    default: return static_cast<std::uint64_t>(costs.macs_per_cycle_f32);
  }
}

models::CoreWork mac_work(DType inputs) {
  switch (inputs) {
    case DType::f16: return models::CoreWork::mac_f16;
    case DType::bf16: return models::CoreWork::mac_bf16;
    case DType::i8:
    case DType::u8: return models::CoreWork::mac_i8;
    default: return models::CoreWork::mac_f32;
  }
}

KernelContext::KernelContext(models::PeServices& pe, std::uint32_t program_id,
                             std::uint32_t num_programs, std::vector<KernelArgValue> args,
                             const std::string& kernel, CoreCosts costs, TcmScratch scratch)
    : pe_(pe),
      program_id_(program_id),
      num_programs_(num_programs),
      args_(std::move(args)),
      kernel_(kernel),
      costs_(costs),
      scratch_(std::move(scratch)) {}

KernelContext::~KernelContext() {
  for (const TcmBuffer& b : tcm_) scratch_.release(b.pa, b.bytes);
}

const TensorView& KernelContext::tensor(std::size_t index) const {
  if (index >= args_.size() || !std::holds_alternative<TensorView>(args_[index])) {
    throw std::invalid_argument(
        fmt::format("kernel '{}': argument {} is not a tensor", kernel_, index));
  }
  return std::get<TensorView>(args_[index]);
}

const Scalar& KernelContext::scalar(std::size_t index) const {
  if (index >= args_.size() || !std::holds_alternative<Scalar>(args_[index])) {
    throw std::invalid_argument(
        fmt::format("kernel '{}': argument {} is not a scalar", kernel_, index));
  }
  return std::get<Scalar>(args_[index]);
}

std::int64_t KernelContext::int_arg(std::size_t index) const {
  const Scalar& s = scalar(index);
  return s.dtype == DType::f32 ? static_cast<std::int64_t>(s.f) : s.i;
}

double KernelContext::float_arg(std::size_t index) const {
  const Scalar& s = scalar(index);
  return s.dtype == DType::f32 ? s.f : static_cast<double>(s.i);
}

// --- Memory -------------------------------------------------------------------------------

void KernelContext::staging(std::size_t bytes) {
  // Timing-only transfers carry no data: the models never touch the buffer, which only
  // needs an address. Otherwise it is grown, never shrunk: refilling it with zeros on
  // every access cost more than the access.
  if (timing_only()) bytes = 1;
  if (staging_.size() < bytes) staging_.resize(bytes);
}

namespace {

bool enabled(const Tile* mask, std::int64_t r, std::int64_t c) {
  return mask == nullptr || !mask->has_values() || mask->at(r, c) != 0.0;
}

void check_mask(const Tile* mask, std::int64_t rows, std::int64_t cols) {
  if (mask != nullptr && (mask->rows() != rows || mask->cols() != cols)) {
    throw std::invalid_argument(
        fmt::format("a {} x {} mask for a {} x {} access", mask->rows(), mask->cols(), rows, cols));
  }
}

// The part of rectangle (r0, c0, rows, cols) that lies inside a rows_limit x cols_limit view.
struct Clip {
  std::int64_t r0, c0, rows, cols;
};
Clip clip(std::int64_t r0, std::int64_t c0, std::int64_t rows, std::int64_t cols,
          std::int64_t rows_limit, std::int64_t cols_limit) {
  const std::int64_t r_begin = std::max<std::int64_t>(r0, 0);
  const std::int64_t c_begin = std::max<std::int64_t>(c0, 0);
  const std::int64_t r_end = std::min(r0 + rows, rows_limit);
  const std::int64_t c_end = std::min(c0 + cols, cols_limit);
  return {r_begin, c_begin, std::max<std::int64_t>(0, r_end - r_begin),
          std::max<std::int64_t>(0, c_end - c_begin)};
}

}  // namespace

PendingTile KernelContext::fetch(const TensorView& t, const Pieces& pieces, std::int64_t r0,
                                 std::int64_t c0, std::int64_t rows, std::int64_t cols,
                                 const Tile* mask, double other, const Slices* streams,
                                 models::StreamArrival* arrived) {
  pe_.compute(costs_.op_overhead_cycles);
  PendingTile out{Tile(rows, cols, t.dtype(), !timing_only(), other), pe_.local_time_ps()};
  const std::size_t item = t.itemsize();
  for (const Piece& p : pieces) {
    const std::uint64_t row_bytes = static_cast<std::uint64_t>(p.cols) * item;
    staging(row_bytes * static_cast<std::uint64_t>(p.rows));
    const models::Access access{p.address, row_bytes, static_cast<std::uint32_t>(p.rows),
                                p.stride,  false,     0};
    if (streams != nullptr) {
      // A part is the piece's share of one slice.
      const std::int64_t part = streams->along_rows ? std::min(streams->step, p.rows) * p.cols
                                                    : p.rows * std::min(streams->step, p.cols);
      const models::StreamArrival a =
          pe_.issue_stream_read(access, static_cast<std::uint64_t>(part) * item, staging_.data());
      arrived->first = std::min(arrived->first, a.first);
      arrived->last = std::max(arrived->last, a.last);
      arrived->latency = std::max(arrived->latency, a.latency);
      arrived->occupancy += a.occupancy;  // the pieces share the PE's port
      out.done = std::max(out.done, a.last);
    } else {
      out.done = std::max(out.done, pe_.issue_read(access, staging_.data()));
    }
    outstanding_ = std::max(outstanding_, out.done);
    if (timing_only()) continue;
    const Tile part = Tile::from_bytes(p.rows, p.cols, t.dtype(), staging_.data());
    for (std::int64_t r = 0; r < p.rows; ++r) {
      for (std::int64_t c = 0; c < p.cols; ++c) {
        const std::int64_t tr = p.row0 - r0 + r;
        const std::int64_t tc = p.col0 - c0 + c;
        if (enabled(mask, tr, tc)) out.tile.set_exact(tr, tc, part.at(r, c));
      }
    }
  }
  return out;
}

PendingTile KernelContext::load_async(const TensorView& t, std::int64_t r0, std::int64_t c0,
                                      std::int64_t rows, std::int64_t cols, const Tile* mask,
                                      double other) {
  check_mask(mask, rows, cols);
  const Clip in = clip(r0, c0, rows, cols, t.rows(), t.cols());
  return fetch(t, t.pieces(in.r0, in.c0, in.rows, in.cols), r0, c0, rows, cols, mask, other);
}

PendingTile KernelContext::load_global_async(const TensorView& t, std::int64_t r0, std::int64_t c0,
                                             std::int64_t rows, std::int64_t cols) {
  const Clip in = clip(r0, c0, rows, cols, t.global_rows(), t.global_cols());
  return fetch(t, t.global_pieces(in.r0, in.c0, in.rows, in.cols), r0, c0, rows, cols, nullptr,
               0.0);
}

Tile KernelContext::load(const TensorView& t, std::int64_t r0, std::int64_t c0, std::int64_t rows,
                         std::int64_t cols, const Tile* mask, double other) {
  return wait(load_async(t, r0, c0, rows, cols, mask, other));
}

Tile KernelContext::wait(PendingTile pending) {
  pe_.wait_until(pending.done);
  return std::move(pending.tile);
}

models::Picoseconds KernelContext::put(const TensorView& t, const Pieces& pieces, std::int64_t r0,
                                       std::int64_t c0, const Tile& tile, const Tile* mask,
                                       const models::PeLocation* at) {
  pe_.compute(costs_.op_overhead_cycles);
  models::Picoseconds done = pe_.local_time_ps();
  const std::size_t item = t.itemsize();
  // Writes rows x cols of the tile from tile coordinates (tr, tc) at `address`.
  auto write = [&](std::int64_t tr, std::int64_t tc, std::int64_t rows, std::int64_t cols,
                   std::uint64_t address, std::uint64_t stride) {
    Tile part(rows, cols, t.dtype(), !timing_only());
    if (!timing_only()) {
      for (std::int64_t r = 0; r < rows; ++r) {
        for (std::int64_t c = 0; c < cols; ++c) part.set(r, c, tile.at(tr + r, tc + c));
      }
      staging(static_cast<std::size_t>(part.size()) * item);
      part.to_bytes(staging_.data());
    } else {
      staging(static_cast<std::size_t>(part.size()) * item);
    }
    const models::Access access{address,
                                static_cast<std::uint64_t>(cols) * item,
                                static_cast<std::uint32_t>(rows),
                                stride,
                                false,
                                0};
    done = std::max(done, at != nullptr ? pe_.issue_write_at(*at, access, staging_.data())
                                        : pe_.issue_write(access, staging_.data()));
    outstanding_ = std::max(outstanding_, done);
  };
  for (const Piece& p : pieces) {
    const std::int64_t tr = p.row0 - r0;
    const std::int64_t tc = p.col0 - c0;
    if (mask == nullptr) {
      write(tr, tc, p.rows, p.cols, p.address, p.stride);  // the whole piece in one burst
      continue;
    }
    for (std::int64_t r = 0; r < p.rows; ++r) {  // each run of enabled elements
      for (std::int64_t c = 0; c < p.cols;) {
        if (!enabled(mask, tr + r, tc + c)) {
          ++c;
          continue;
        }
        std::int64_t end = c + 1;
        while (end < p.cols && enabled(mask, tr + r, tc + end)) ++end;
        write(tr + r, tc + c, 1, end - c,
              p.address + static_cast<std::uint64_t>(r) * p.stride +
                  static_cast<std::uint64_t>(c) * item,
              p.stride);
        c = end;
      }
    }
  }
  return done;
}

models::Picoseconds KernelContext::store_async(const TensorView& t, std::int64_t r0,
                                               std::int64_t c0, const Tile& tile, const Tile* mask,
                                               const models::PeLocation* at) {
  check_mask(mask, tile.rows(), tile.cols());
  const Clip in = clip(r0, c0, tile.rows(), tile.cols(), t.rows(), t.cols());
  return put(t, t.pieces(in.r0, in.c0, in.rows, in.cols), r0, c0, tile, mask, at);
}

models::Picoseconds KernelContext::store_global_async(const TensorView& t, std::int64_t r0,
                                                      std::int64_t c0, const Tile& tile) {
  const Clip in = clip(r0, c0, tile.rows(), tile.cols(), t.global_rows(), t.global_cols());
  return put(t, t.global_pieces(in.r0, in.c0, in.rows, in.cols), r0, c0, tile, nullptr);
}

void KernelContext::store(const TensorView& t, std::int64_t r0, std::int64_t c0, const Tile& tile,
                          const Tile* mask) {
  pe_.wait_until(store_async(t, r0, c0, tile, mask));
}

// --- TCM scratch ---------------------------------------------------------------------------

TcmBuffer KernelContext::tcm_alloc(std::uint64_t bytes) {
  TcmBuffer b{scratch_.allocate(bytes), bytes};
  tcm_.push_back(b);
  return b;
}

models::Picoseconds KernelContext::stage(const TensorView& t, std::int64_t r0, std::int64_t c0,
                                         std::int64_t rows, std::int64_t cols,
                                         const TcmBuffer& into) {
  const std::uint64_t bytes = static_cast<std::uint64_t>(rows * cols) * t.itemsize();
  if (bytes > into.bytes) {
    throw std::invalid_argument(
        fmt::format("staging {} bytes into a {}-byte TCM buffer", bytes, into.bytes));
  }
  PendingTile fetched = load_global_async(t, r0, c0, rows, cols);
  // The DMA writes the tile into TCM once it has arrived; the core does not wait.
  staging(bytes);
  if (!timing_only()) fetched.tile.to_bytes(staging_.data());
  const models::Picoseconds done =
      pe_.issue_write({into.pa, bytes, 1, 0, true, fetched.done}, staging_.data());
  outstanding_ = std::max(outstanding_, done);
  return done;
}

KernelContext::Staged KernelContext::stage_slices(const std::vector<Slices>& operands) {
  const std::int64_t n = operands.empty() ? 0 : operands.front().count();
  for (const Slices& o : operands) {
    if (o.count() != n) {
      throw std::invalid_argument(
          fmt::format("staging {} slices beside {} of another operand", o.count(), n));
    }
    if (o.bytes() > o.into.bytes) {
      throw std::invalid_argument(
          fmt::format("staging {} bytes into a {}-byte TCM buffer", o.bytes(), o.into.bytes));
    }
  }
  if (n <= 1) {
    models::Picoseconds done = 0;
    for (const Slices& o : operands) {
      done = std::max(done, stage(*o.t, o.r0, o.c0, o.rows, o.cols, o.into));
    }
    return {std::vector<models::Picoseconds>(static_cast<std::size_t>(n), done), 0};
  }
  // The reads, every operand's one after another where they share a resource...
  models::StreamArrival arrived{std::numeric_limits<models::Picoseconds>::max(), 0};
  std::vector<Tile> fetched;
  for (const Slices& o : operands) {
    const Clip in = clip(o.r0, o.c0, o.rows, o.cols, o.t->global_rows(), o.t->global_cols());
    fetched.push_back(fetch(*o.t, o.t->global_pieces(in.r0, in.c0, in.rows, in.cols), o.r0, o.c0,
                            o.rows, o.cols, nullptr, 0.0, &o, &arrived)
                          .tile);
  }
  // ... where slice by slice they would have come in turn: slice i of every operand is in
  // once all the operands' bytes up to it are, the bytes arriving evenly from the first to
  // the last. So with the writes into TCM, issued from the first bytes' arrival on: slice i
  // is written once in and as long after as the first part took to be written, and no
  // earlier than all the writes' share up to it.
  models::StreamArrival written{std::numeric_limits<models::Picoseconds>::max(), 0};
  std::vector<std::uint64_t> through(static_cast<std::size_t>(n), 0);  // bytes up to slice i
  for (std::size_t k = 0; k < operands.size(); ++k) {
    const Slices& o = operands[k];
    const std::uint64_t bytes = o.bytes();
    const std::uint64_t slice_bytes = o.slice_bytes();
    staging(bytes);
    if (!timing_only()) {
      for (std::int64_t i = 0; i < n; ++i) {
        const std::int64_t at = i * o.step;
        const Tile part = o.along_rows
                              ? fetched[k].block(at, 0, std::min(o.step, o.rows - at), o.cols)
                              : fetched[k].block(0, at, o.rows, std::min(o.step, o.cols - at));
        part.to_bytes(staging_.data() + static_cast<std::uint64_t>(i) * slice_bytes);
      }
    }
    const models::StreamArrival w = pe_.issue_stream_write(
        {o.into.pa, bytes, 1, 0, true, arrived.first}, slice_bytes, staging_.data());
    outstanding_ = std::max(outstanding_, w.last);
    written.first = std::min(written.first, w.first);
    written.last = std::max(written.last, w.last);
    for (std::size_t i = 0; i < through.size(); ++i) {
      through[i] += std::min(bytes, (i + 1) * slice_bytes);
    }
  }
  const std::uint64_t total = through.back();
  const models::Picoseconds lag = written.first - std::min(written.first, arrived.first);
  std::vector<models::Picoseconds> ready(through.size());
  for (std::size_t i = 0; i < ready.size(); ++i) {
    const models::Picoseconds in =
        arrived.first + (arrived.last - arrived.first) * through[i] / total;
    const models::Picoseconds write = written.first + (written.last - written.first) *
                                                          (through[i] - through[0]) /
                                                          (total - through[0]);
    ready[i] = std::max(in + lag, write);
  }
  // Alone, the first slice's bytes would come in a path's latency and their time at the
  // narrowest resource, then be written.
  const models::Picoseconds round_trip =
      arrived.latency + arrived.occupancy * through[0] / total + lag;
  // The other slices' issue costs, after their accesses: staged one by one, the core would
  // pay them over the steps that follow, not before the first access.
  pe_.compute(costs_.op_overhead_cycles * static_cast<std::uint64_t>(n - 1) * operands.size());
  return {std::move(ready), round_trip};
}

Tile KernelContext::load_tcm(const TcmBuffer& from, std::int64_t rows, std::int64_t cols,
                             DType dtype) {
  const std::uint64_t bytes = static_cast<std::uint64_t>(rows * cols) * itemsize(dtype);
  staging(bytes);
  pe_.compute(costs_.op_overhead_cycles);
  pe_.wait_until(pe_.issue_read({from.pa, bytes, 1, 0, true, 0}, staging_.data()));
  if (timing_only()) return Tile(rows, cols, dtype, false);
  return Tile::from_bytes(rows, cols, dtype, staging_.data());
}

void KernelContext::store_tcm(const TcmBuffer& into, const Tile& tile) {
  const std::uint64_t bytes = static_cast<std::uint64_t>(tile.size()) * itemsize(tile.dtype());
  staging(bytes);
  if (!timing_only()) tile.to_bytes(staging_.data());
  pe_.compute(costs_.op_overhead_cycles);
  pe_.wait_until(pe_.issue_write({into.pa, bytes, 1, 0, true, 0}, staging_.data()));
}

// --- IPCQ ----------------------------------------------------------------------------------

models::Picoseconds KernelContext::send(std::uint32_t peer_rank, const Tile& tile,
                                        const models::StreamShape& shape,
                                        const models::PeLocation* at) {
  // The IPCQ copies the bytes before it returns, so the staging buffer is free again.
  const std::size_t bytes = static_cast<std::size_t>(tile.size()) * itemsize(tile.dtype());
  staging(bytes);
  if (!timing_only()) tile.to_bytes(staging_.data());
  pe_.compute(costs_.op_overhead_cycles);
  if (at != nullptr) return pe_.ipcq_send_at(*at, peer_rank, staging_.data(), bytes, shape);
  return pe_.ipcq_send(peer_rank, staging_.data(), bytes, shape);
}

KernelContext::Received KernelContext::recv_stream(std::uint32_t peer_rank, std::int64_t rows,
                                                   std::int64_t cols, DType dtype,
                                                   models::Picoseconds taken_from) {
  const std::size_t bytes = static_cast<std::size_t>(rows * cols) * itemsize(dtype);
  staging(bytes);
  pe_.compute(costs_.op_overhead_cycles);
  const models::StreamArrival arrival =
      pe_.ipcq_recv(peer_rank, staging_.data(), bytes, taken_from);
  if (timing_only()) return {Tile(rows, cols, dtype, false), arrival};
  return {Tile::from_bytes(rows, cols, dtype, staging_.data()), arrival};
}

Tile KernelContext::recv(std::uint32_t peer_rank, std::int64_t rows, std::int64_t cols,
                         DType dtype) {
  Received got = recv_stream(peer_rank, rows, cols, dtype);
  // Flow fidelity returned at the first byte: the rest is waited for here.
  if (got.arrival.last > pe_.local_time_ps()) pe_.wait_until(got.arrival.last);
  return std::move(got.tile);
}

}  // namespace kb::runtime

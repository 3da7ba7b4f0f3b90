#pragma once
// The contract between a PE core and the kernels it runs. The runtime implements
// KernelProgram (binding a registered kernel to its arguments); the PE core implements
// PeServices. Models never see runtime types.

#include "models/common/fidelity.h"
#include "models/common/sim_time.h"
#include "models/protocol/stream_shape.h"

#include <cstdint>
#include <string>

namespace kb::models {

struct PeLocation {
  std::uint32_t sip = 0;
  std::uint32_t cube = 0;  // within the SIP: y * mesh_w + x
  std::uint32_t pe = 0;    // within the cube
  std::uint32_t cube_x = 0;
  std::uint32_t cube_y = 0;
  std::uint32_t pes_per_cube = 0;
  std::uint32_t cubes_per_sip = 0;
  std::uint32_t sips = 0;
};

// Whether `a` and `b` name the same PE (the rest of a location describes the machine).
inline bool same_pe(const PeLocation& a, const PeLocation& b) {
  return a.sip == b.sip && a.cube == b.cube && a.pe == b.pe;
}

// One memory access of a kernel: contiguous, or a 2-D burst of `rows` rows of `row_bytes`
// that lie `stride` bytes apart in memory (packed in the kernel's buffer).
struct Access {
  std::uint64_t address = 0;  // virtual, through the MMU; physical when `physical`
  std::uint64_t row_bytes = 0;
  std::uint32_t rows = 1;
  std::uint64_t stride = 0;
  bool physical = false;
  Picoseconds not_before = 0;  // issue no earlier than this (a DMA chained to another)

  static Access contiguous(std::uint64_t address, std::uint64_t bytes) {
    return {address, bytes, 1, 0, false, 0};
  }
  std::uint64_t bytes() const { return row_bytes * rows; }
};

// What a core's cycles do, for its energy: multiply-accumulates by input type, or vector
// elements (elementwise operations, reductions, casts).
enum class CoreWork { none, mac_f16, mac_bf16, mac_f32, mac_i8, vector };

// What a running kernel can do on its PE. Calls cost what the model says: issuing an
// access moves its data at once and returns when it completes, without advancing the
// PE's local time (a DMA the core can overlap with compute); wait_until() and compute()
// advance it. The data really moves unless the run is timing-only.
class PeServices {
 public:
  virtual ~PeServices() = default;

  virtual const PeLocation& location() const = 0;
  virtual bool timing_only() const = 0;
  virtual Fidelity fidelity() const = 0;

  // Accesses through the PE's MMU to any memory of the system; return the completion time.
  virtual Picoseconds issue_read(const Access& access, void* dst) = 0;
  virtual Picoseconds issue_write(const Access& access, const void* src) = 0;
  // The same moving a stream of `grain`-byte parts (flow fidelity's streaming loads): every
  // hop serves it in the idle time others leave rather than in one contiguous booking, as
  // its parts would have interleaved with other traffic (Resource::reserve_stream). Returns
  // when its first bytes and its last arrive (a write: when its first part and its last
  // are written), and what it would take on idle resources.
  virtual StreamArrival issue_stream_read(const Access& access, std::uint64_t grain, void* dst) = 0;
  virtual StreamArrival issue_stream_write(const Access& access, std::uint64_t grain,
                                           const void* src) = 0;
  // The same write through the MMU and port of the PE at (at.sip, at.cube, at.pe), at this
  // core's local time, its address in that PE's virtual space: a bundle's leader writes as
  // the copy its sends leave from (runtime/ccl/bundle.h).
  virtual Picoseconds issue_write_at(const PeLocation& at, const Access& access,
                                     const void* src) = 0;
  // Advances local time to `time` if it is later.
  virtual void wait_until(Picoseconds time) = 0;

  // Blocking contiguous accesses.
  void read(std::uint64_t va, void* dst, std::uint64_t nbytes) {
    wait_until(issue_read(Access::contiguous(va, nbytes), dst));
  }
  void write(std::uint64_t va, const void* src, std::uint64_t nbytes) {
    wait_until(issue_write(Access::contiguous(va, nbytes), src));
  }

  // Busy the core for `cycles` of its clock doing `count` actions of `work` (arithmetic),
  // which its energy account is charged for (docs/energy.md).
  virtual void compute(std::uint64_t cycles, CoreWork work, std::uint64_t count) = 0;
  // Busy it for `cycles` of issue overhead, with no arithmetic.
  void compute(std::uint64_t cycles) { compute(cycles, CoreWork::none, 0); }

  // Block transfers to and from neighbour ranks through the IPCQ (after an IpcqInit).
  // A send returns when its last entry was issued. A recv returns when its first and last
  // bytes arrived; the local time is then at least the first's (at the last's in
  // transaction fidelity); flow fidelity frees the entries no earlier than `taken_from`.
  virtual Picoseconds ipcq_send(std::uint32_t peer_rank, const void* src, std::uint64_t nbytes,
                                const StreamShape& shape) = 0;
  virtual StreamArrival ipcq_recv(std::uint32_t peer_rank, void* dst, std::uint64_t nbytes,
                                  Picoseconds taken_from) = 0;
  // The same as ipcq_send from the queues of the PE at (at.sip, at.cube, at.pe), as if this
  // core were that PE's: a bundle's leader sends its copy of an edge that ends at another
  // leader from the copy that starts it (runtime/ccl/bundle.h).
  virtual Picoseconds ipcq_send_at(const PeLocation& at, std::uint32_t peer_rank, const void* src,
                                   std::uint64_t nbytes, const StreamShape& shape) = 0;
  // Flow fidelity: this core comes to take the next transfer from `from`; past its first
  // queue's worth, a transfer of more goes on only from then (models/pe/pe_ipcq.h).
  virtual void ipcq_begin_recv(std::uint32_t from) = 0;
  // Flow fidelity: waits until the receiver of this core's transfers to `to` of more than a
  // queue's worth (sent from the queues at `at`, if not null) has come for each, and returns
  // when the last of their entries left.
  virtual Picoseconds ipcq_window_taken(std::uint32_t to, const PeLocation* at) = 0;
  // Entry by entry, whether a send of `send_bytes` to `to` ahead of a receive of `recv_bytes`
  // from `from` goes first: it does if its credits are usable no later than the data is in.
  virtual bool ipcq_send_goes_first(std::uint32_t to, std::uint64_t send_bytes, std::uint32_t from,
                                    std::uint64_t recv_bytes) = 0;

  // The PE's local time: simulated time plus what it has run ahead (temporal decoupling).
  virtual Picoseconds local_time_ps() const = 0;

  // While deferred, compute() and wait_until() advance the local time without synchronising
  // with the simulation kernel, whatever the quantum: for a stretch of work that touches
  // nothing shared, so one synchronisation at its end does what one per call would. Ending
  // it does not synchronise; the next compute() or wait_until() does, if the quantum is
  // past. A launch starts undeferred.
  virtual void defer_sync(bool deferred) = 0;
};

// Defers a core's synchronisation for the scope (PeServices::defer_sync), or, `deferred`
// false, leaves it as it is. Ending it only clears a flag, so it is safe while an exception
// unwinds.
class DeferredSync {
 public:
  explicit DeferredSync(PeServices& pe, bool deferred = true) : pe_(deferred ? &pe : nullptr) {
    if (pe_ != nullptr) pe_->defer_sync(true);
  }
  ~DeferredSync() {
    if (pe_ != nullptr) pe_->defer_sync(false);
  }
  DeferredSync(const DeferredSync&) = delete;
  DeferredSync& operator=(const DeferredSync&) = delete;

 private:
  PeServices* pe_;  // null when not deferring
};

class KernelProgram {
 public:
  virtual ~KernelProgram() = default;
  // Runs one program instance on `pe`. Throws to report a kernel error.
  virtual void run(PeServices& pe) const = 0;
};

}  // namespace kb::models

#pragma once
// A PE's core: runs kernel programs, one at a time in the order they arrive (a launch that
// finds the core busy waits its turn), in one process started by the core's first launch
// (a PE that never runs a kernel costs no thread; one that does keeps its process: creating
// one per kernel took two thirds of a trace replay's wall time). It implements PeServices
// for the kernel: loads and stores go through the PE's MMU, compute advances local time,
// and local time runs ahead of simulated time up to the global quantum (temporal
// decoupling).

#include "models/common/component.h"
#include "models/common/initiator_port.h"
#include "models/common/local_clock.h"
#include "models/pe/pe_core_attrs.h"
#include "models/pe/pe_ipcq.h"
#include "models/protocol/kernel_program.h"
#include "models/protocol/transaction.h"

#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

namespace kb::models {

class Pe;

// What a core is doing, as its VCD signal `state` shows it.
enum class PeState : std::uint64_t { idle, compute, memory, ipcq_data, ipcq_credit };

class PeCore : public Component, public PeServices {
 public:
  // With `timing_only`, kernels skip the arithmetic and transfers carry no data.
  PeCore(const sc_core::sc_module_name& name, const PeCoreAttrs& attrs, bool timing_only,
         Fidelity fidelity, const PeLocation& location, PeIpcq& ipcq);

  InitiatorPort out;  // into the MMU

  // Starts `program`, or queues it behind the kernels launched before it; when it returns,
  // a PeDone for `request_id` goes to `reply_to`.
  void launch(std::uint64_t request_id, const std::string& kernel,
              std::shared_ptr<const KernelProgram> program, std::uint64_t reply_to);

  // PeServices
  const PeLocation& location() const override { return location_; }
  bool timing_only() const override { return timing_only_; }
  Fidelity fidelity() const override { return fidelity_; }
  Picoseconds issue_read(const Access& access, void* dst) override;
  Picoseconds issue_write(const Access& access, const void* src) override;
  Picoseconds issue_write_at(const PeLocation& at, const Access& access, const void* src) override;
  StreamArrival issue_stream_read(const Access& access, std::uint64_t grain, void* dst) override;
  StreamArrival issue_stream_write(const Access& access, std::uint64_t grain,
                                   const void* src) override;
  void wait_until(Picoseconds time) override;
  using PeServices::compute;
  void compute(std::uint64_t cycles, CoreWork work, std::uint64_t count) override;
  Picoseconds ipcq_send(std::uint32_t peer_rank, const void* src, std::uint64_t nbytes,
                        const StreamShape& shape) override;
  StreamArrival ipcq_recv(std::uint32_t peer_rank, void* dst, std::uint64_t nbytes,
                          Picoseconds taken_from) override;
  Picoseconds ipcq_send_at(const PeLocation& at, std::uint32_t peer_rank, const void* src,
                           std::uint64_t nbytes, const StreamShape& shape) override;
  bool ipcq_send_goes_first(std::uint32_t to, std::uint64_t send_bytes, std::uint32_t from,
                            std::uint64_t recv_bytes) override;
  void ipcq_begin_recv(std::uint32_t from) override;
  Picoseconds ipcq_window_taken(std::uint32_t to, const PeLocation* at) override;
  Picoseconds local_time_ps() const override { return clock_.now(); }
  void defer_sync(bool deferred) override { sync_deferred_ = deferred; }

 private:
  struct Launch {
    std::uint64_t request_id;
    std::uint64_t kernel;  // KernelNames' id
    std::shared_ptr<const KernelProgram> program;
    std::uint64_t reply_to;
  };
  // The core's kernel process: runs the launches queued, then waits for the next.
  void serve();
  void run(const Launch& launch);
  double pj_per(CoreWork work) const;
  // Another PE of the machine, found by its name (once for the last one asked).
  Pe& pe_at(const PeLocation& at);
  bool here(const PeLocation& at) const { return same_pe(at, location_); }
  // The IPCQ of the PE at `at`: this PE's own, or a bundle copy's (ipcq_send_at).
  PeIpcq& ipcq_at(const PeLocation& at);
  // An access at this core's local time through `mmu`, the port into a PE's MMU (its own:
  // `out`), a stream of `grain`-byte parts unless 0: when its first bytes and its last
  // arrive.
  StreamArrival issue(tlm::tlm_command command, const Access& access, unsigned char* data,
                      InitiatorPort& mmu, std::uint64_t grain = 0);
  // From the current local time on, the core is `state` (until the next mark).
  void mark(PeState state) { state_.set(local_time_ps(), static_cast<std::uint64_t>(state)); }

  static constexpr int kStackBytes = 1 << 20;  // for the kernel process
  const PeCoreAttrs attrs_;                    // its energies per action
  const bool timing_only_;
  const Fidelity fidelity_;
  EnergyAccount& energy_;
  TracedValue& state_;   // PeState
  TracedValue& kernel_;  // the running kernel's id (KernelNames), 0 when idle
  PeLocation location_;
  PeIpcq& ipcq_;
  PeLocation other_at_;  // the last other PE pe_at() found
  Pe* other_ = nullptr;  // and the PE
  LocalClock clock_;
  Transaction txn_;
  std::string running_prefix_;  // "sip0.cube1.pe2 running '"
  std::string running_;         // "sip0.cube1.pe2 running 'gemm'", for fault messages
  bool sync_deferred_ = false;  // defer_sync()
  bool started_ = false;        // the kernel process exists
  bool busy_ = false;           // it is running kernels (else waiting on launched_)
  std::deque<Launch> waiting_;  // launched and not yet started, in arrival order
  // A launch found it waiting (named, as PeIpcq::Arrivals says why).
  sc_core::sc_event launched_{"launched"};
};

// The kernels' names, process-wide, each with a small id (1, 2, ...; 0 is "none") that a
// core's `kernel` value shows: the waveforms name the ids from this one table. A trace's
// replay launches many kernels of distinct names on many cores; each name is kept once.
class KernelNames {
 public:
  static KernelNames& instance();
  std::uint64_t id(const std::string& kernel);
  const std::string& name(std::uint64_t id) const { return names_[id]; }
  const std::vector<std::string>* names() const { return &names_; }

 private:
  std::unordered_map<std::string, std::uint64_t> ids_;
  std::vector<std::string> names_{std::string()};  // by id; 0 has none
};

}  // namespace kb::models

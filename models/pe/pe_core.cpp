#include "models/pe/pe_core.h"

#include "models/pe/pe.h"

#include "models/common/simulation_error.h"
#include "models/protocol/phys_addr.h"

#include <fmt/format.h>

#include <stdexcept>

namespace kb::models {

PeCore::PeCore(const sc_core::sc_module_name& name, const PeCoreAttrs& attrs, bool timing_only,
               Fidelity fidelity, const PeLocation& location, PeIpcq& ipcq)
    : Component(name, attrs.freq_ghz),
      out("out"),
      attrs_(attrs),
      timing_only_(timing_only),
      fidelity_(fidelity),
      energy_(add_energy(EnergyClass::compute, attrs.static_w)),
      state_(add_value("state", 3, {"idle", "compute", "memory", "ipcq_data", "ipcq_credit"})),
      kernel_(add_value("kernel", 8, KernelNames::instance().names())),
      location_(location),
      ipcq_(ipcq) {
  running_prefix_ =
      fmt::format("sip{}.cube{}.pe{} running '", location_.sip, location_.cube, location_.pe);
  // Constant for the core: every access and IPCQ transfer it makes carries them.
  txn_.transfer().initiator = &running_;
  txn_.transfer().timing_only = timing_only_;
}

void PeCore::launch(std::uint64_t request_id, const std::string& kernel,
                    std::shared_ptr<const KernelProgram> program, std::uint64_t reply_to) {
  waiting_.push_back(
      {request_id, KernelNames::instance().id(kernel), std::move(program), reply_to});
  if (busy_) return;  // the kernel process takes it when the ones before it are done
  busy_ = true;
  if (started_) {
    launched_.notify();
    return;
  }
  // The first launch starts the core's kernel process; it then serves every later one.
  // Spawned from another process, it would be named after that one (whose later spawns
  // would clash); it belongs to this core.
  started_ = true;
  sc_core::sc_spawn_options options;
  options.set_stack_size(kStackBytes);
  sc_core::sc_simcontext& sim = *sc_core::sc_get_curr_simcontext();
  sim.hierarchy_push(this);
  sc_core::sc_spawn([this] { run_guarded([this] { serve(); }); }, "kernels", &options);
  sim.hierarchy_pop();
}

void PeCore::serve() {
  for (;;) {
    while (!waiting_.empty()) {
      Launch next = std::move(waiting_.front());
      waiting_.pop_front();
      run(next);
    }
    busy_ = false;
    sc_core::wait(launched_);
  }
}

void PeCore::run(const Launch& launch) {
  // Assembled, not formatted: a trace's replay launches hundreds of thousands of kernels.
  running_.assign(running_prefix_)
      .append(KernelNames::instance().name(launch.kernel))
      .push_back('\'');
  kernel_.set(now_ps(), launch.kernel);
  clock_.reset();
  sync_deferred_ = false;
  const Picoseconds started = now_ps();
  try {
    launch.program->run(*this);
  } catch (const SimulationError&) {
    throw;
  } catch (const std::exception& e) {
    throw SimulationError(fmt::format("kernel error on {}: {}", running_, describe(e)));
  }
  mark(PeState::idle);
  kernel_.set(local_time_ps(), 0);
  auto done = std::make_shared<ControlMessage>();
  done->request_id = launch.request_id;
  done->body = PeDone{launch.request_id, location_.cube, location_.pe, started, local_time_ps()};
  tlm::tlm_generic_payload& p = txn_.control(launch.reply_to, done);
  sc_core::sc_time delay = from_ps(clock_.offset());
  out.transport(0, p, delay);
  clock_.set_offset(to_ps(delay));
  clock_.sync();
}

StreamArrival PeCore::issue(tlm::tlm_command command, const Access& a, unsigned char* data,
                            InitiatorPort& mmu, std::uint64_t grain) {
  const Picoseconds start = std::max(local_time_ps(), a.not_before);
  if (a.bytes() == 0) return {start, start};
  tlm::tlm_generic_payload& p = txn_.access(command, a.address, data, a.bytes());
  TransferExtension& t = txn_.transfer();
  t.physical = a.physical;
  t.burst_rows = a.rows;
  t.burst_stride = a.stride;
  t.shape.grain_bytes = grain;
  sc_core::sc_time delay = from_ps(start - now_ps());
  mmu.transport(0, p, delay);
  if (p.get_response_status() != tlm::TLM_OK_RESPONSE) {
    fail("{}: {} of {} bytes at 0x{:x}{} failed: {}", running_,
         command == tlm::TLM_READ_COMMAND ? "read" : "write", a.bytes(), a.address,
         a.physical ? " (physical)" : "", p.get_response_string());
  }
  const Picoseconds head = now_ps() + to_ps(delay);
  return {head, head + t.tail_ps, t.path_latency_ps, t.occupancy_ps};
}

Picoseconds PeCore::issue_read(const Access& access, void* dst) {
  return issue(tlm::TLM_READ_COMMAND, access, static_cast<unsigned char*>(dst), out).last;
}

// The target only reads the buffer of a write.
Picoseconds PeCore::issue_write(const Access& access, const void* src) {
  return issue(tlm::TLM_WRITE_COMMAND, access, static_cast<unsigned char*>(const_cast<void*>(src)),
               out)
      .last;
}

Picoseconds PeCore::issue_write_at(const PeLocation& at, const Access& access, const void* src) {
  return issue(tlm::TLM_WRITE_COMMAND, access, static_cast<unsigned char*>(const_cast<void*>(src)),
               here(at) ? out : pe_at(at).core.out)
      .last;
}

StreamArrival PeCore::issue_stream_read(const Access& access, std::uint64_t grain, void* dst) {
  return issue(tlm::TLM_READ_COMMAND, access, static_cast<unsigned char*>(dst), out, grain);
}

StreamArrival PeCore::issue_stream_write(const Access& access, std::uint64_t grain,
                                         const void* src) {
  return issue(tlm::TLM_WRITE_COMMAND, access, static_cast<unsigned char*>(const_cast<void*>(src)),
               out, grain);
}

void PeCore::wait_until(Picoseconds time) {
  mark(PeState::memory);
  clock_.catch_up(time);
  if (!sync_deferred_ && clock_.need_sync()) clock_.sync();
}

void PeCore::compute(std::uint64_t n, CoreWork work, std::uint64_t count) {
  mark(PeState::compute);
  const Picoseconds begin = local_time_ps();
  clock_.advance(cycles(n));
  energy_.charge(static_cast<double>(count) * pj_per(work), begin, local_time_ps());
  if (!sync_deferred_ && clock_.need_sync()) clock_.sync();
}

double PeCore::pj_per(CoreWork work) const {
  switch (work) {
    case CoreWork::none: return 0.0;
    case CoreWork::mac_f16: return attrs_.pj_per_mac_f16;
    case CoreWork::mac_bf16: return attrs_.pj_per_mac_bf16;
    case CoreWork::mac_f32: return attrs_.pj_per_mac_f32;
    case CoreWork::mac_i8: return attrs_.pj_per_mac_i8;
    case CoreWork::vector: return attrs_.pj_per_vector_op;
  }
  return 0.0;
}

Picoseconds PeCore::ipcq_send(std::uint32_t peer_rank, const void* src, std::uint64_t nbytes,
                              const StreamShape& shape) {
  mark(PeState::ipcq_credit);  // what the core waits for if the queue is full
  return ipcq_.send(peer_rank, static_cast<const unsigned char*>(src), nbytes, shape, clock_,
                    txn_.transfer());
}

StreamArrival PeCore::ipcq_recv(std::uint32_t peer_rank, void* dst, std::uint64_t nbytes,
                                Picoseconds taken_from) {
  mark(PeState::ipcq_data);
  return ipcq_.recv(peer_rank, static_cast<unsigned char*>(dst), nbytes, clock_, txn_.transfer(),
                    taken_from);
}

Picoseconds PeCore::ipcq_send_at(const PeLocation& at, std::uint32_t peer_rank, const void* src,
                                 std::uint64_t nbytes, const StreamShape& shape) {
  mark(PeState::ipcq_credit);
  return ipcq_at(at).send(peer_rank, static_cast<const unsigned char*>(src), nbytes, shape, clock_,
                          txn_.transfer());
}

bool PeCore::ipcq_send_goes_first(std::uint32_t to, std::uint64_t send_bytes, std::uint32_t from,
                                  std::uint64_t recv_bytes) {
  mark(PeState::ipcq_credit);  // what the core waits for, if anything
  return ipcq_.send_goes_first(to, send_bytes, from, recv_bytes, clock_, txn_.transfer());
}

void PeCore::ipcq_begin_recv(std::uint32_t from) {
  mark(PeState::ipcq_data);
  ipcq_.begin_recv(from, clock_, txn_.transfer());
}

Picoseconds PeCore::ipcq_window_taken(std::uint32_t to, const PeLocation* at) {
  mark(PeState::ipcq_credit);
  return (at == nullptr ? ipcq_ : ipcq_at(*at)).window_taken(to, clock_, txn_.transfer());
}

PeIpcq& PeCore::ipcq_at(const PeLocation& at) { return here(at) ? ipcq_ : pe_at(at).ipcq; }

Pe& PeCore::pe_at(const PeLocation& at) {
  // A leader sends and writes through the same copy every step: found by name once.
  if (other_ != nullptr && same_pe(at, other_at_)) return *other_;
  // The machine holds SIPs, which hold cubes, which hold PEs (models/system/system.h).
  const sc_core::sc_object* machine = ipcq_.get_parent_object();  // this PE
  for (int level = 0; level < 3 && machine != nullptr; ++level)
    machine = machine->get_parent_object();
  const std::string name = fmt::format(
      "{}.sip{}.cube{}.pe{}", machine != nullptr ? machine->name() : "?", at.sip, at.cube, at.pe);
  auto* found = dynamic_cast<Pe*>(sc_core::sc_find_object(name.c_str()));
  if (found == nullptr) throw std::invalid_argument(fmt::format("{}: no PE {}", running_, name));
  other_at_ = at;
  other_ = found;
  return *found;
}

KernelNames& KernelNames::instance() {
  static KernelNames names;
  return names;
}

std::uint64_t KernelNames::id(const std::string& kernel) {
  const auto [at, added] = ids_.try_emplace(kernel, names_.size());
  if (added) names_.push_back(kernel);
  return at->second;
}

}  // namespace kb::models

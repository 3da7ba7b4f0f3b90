#include "models/pe/pe_core.h"

#include "models/common/simulation_error.h"
#include "models/protocol/phys_addr.h"

namespace kb::models {

PeCore::PeCore(const sc_core::sc_module_name& name, const PeCoreParams& params,
               const PeLocation& location, PeIpcq& ipcq)
    : Component(name, params.freq_ghz), out("out"), p_(params), location_(location), ipcq_(ipcq) {
  txn_.transfer().initiator = &running_;
}

void PeCore::launch(std::uint64_t request_id, const std::string& kernel,
                    std::shared_ptr<const KernelProgram> program, std::uint64_t reply_to) {
  if (busy_) fail("launch of '{}' while a kernel is still running", kernel);
  busy_ = true;
  running_ = fmt::format("sip{}.cube{}.pe{} running '{}'", location_.sip, location_.cube,
                         location_.pe, kernel);
  sc_core::sc_spawn_options options;
  options.set_stack_size(p_.stack_bytes);
  sc_core::sc_spawn([this, request_id, program = std::move(program),
                     reply_to] { run(request_id, program, reply_to); },
                    sc_core::sc_gen_unique_name("kernel"), &options);
}

void PeCore::run(std::uint64_t request_id, std::shared_ptr<const KernelProgram> program,
                 std::uint64_t reply_to) {
  run_guarded([&] {
    qk_.reset();
    const Picoseconds started = now_ps();
    try {
      program->run(*this);
    } catch (const SimulationError&) {
      throw;
    } catch (const std::exception& e) {
      throw SimulationError(fmt::format("kernel error on {}: {}", running_, e.what()));
    }
    auto done = std::make_shared<ControlMessage>();
    done->request_id = request_id;
    done->body = PeDone{request_id, location_.pe, started, local_time_ps()};
    tlm::tlm_generic_payload& p = txn_.control(reply_to, done);
    sc_core::sc_time delay = qk_.get_local_time();
    out.transport(0, p, delay);
    qk_.set(delay);
    qk_.sync();
    busy_ = false;
  });
}

void PeCore::access(tlm::tlm_command command, std::uint64_t address, unsigned char* data,
                    std::uint64_t nbytes, bool physical) {
  if (nbytes == 0) return;
  tlm::tlm_generic_payload& p = txn_.access(command, address, data, nbytes);
  txn_.transfer().timing_only = p_.timing_only;
  txn_.transfer().physical = physical;
  sc_core::sc_time delay = qk_.get_local_time();
  out.transport(0, p, delay);
  if (p.get_response_status() != tlm::TLM_OK_RESPONSE) {
    fail("{}: {} of {} bytes at 0x{:x} failed: {}", running_,
         command == tlm::TLM_READ_COMMAND ? "read" : "write", nbytes, address,
         p.get_response_string());
  }
  qk_.set(delay + from_ps(txn_.transfer().tail_ps));
  if (qk_.need_sync()) qk_.sync();
}

void PeCore::read(std::uint64_t va, void* dst, std::uint64_t nbytes) {
  access(tlm::TLM_READ_COMMAND, va, static_cast<unsigned char*>(dst), nbytes, false);
}

void PeCore::write(std::uint64_t va, const void* src, std::uint64_t nbytes) {
  // The target only reads the buffer of a write.
  access(tlm::TLM_WRITE_COMMAND, va, static_cast<unsigned char*>(const_cast<void*>(src)), nbytes,
         false);
}

void PeCore::compute(std::uint64_t n) {
  qk_.inc(from_ps(cycles(n)));
  if (qk_.need_sync()) qk_.sync();
}

void PeCore::ipcq_send(std::uint32_t peer_rank, const void* src, std::uint64_t nbytes) {
  ipcq_.send(peer_rank, static_cast<const unsigned char*>(src), nbytes, qk_, txn_.transfer());
}

void PeCore::ipcq_recv(std::uint32_t peer_rank, void* dst, std::uint64_t nbytes) {
  ipcq_.recv(peer_rank, static_cast<unsigned char*>(dst), nbytes, qk_, txn_.transfer());
}

}  // namespace kb::models

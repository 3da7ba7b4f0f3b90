#include "models/cube/m_cpu.h"

#include "models/common/overloaded.h"
#include "models/common/simulation_error.h"
#include "models/protocol/phys_addr.h"

namespace kb::models {

MCpu::MCpu(const sc_core::sc_module_name& name, const MCpuAttrs& attrs, std::uint32_t sip,
           std::uint32_t cube, bool timing_only, bool dispatches)
    : Component(name),
      in("in", *this, &MCpu::b_transport, nullptr),
      out("out"),
      sip_(sip),
      cube_(cube),
      timing_only_(timing_only),
      message_latency_(ns_to_ps(attrs.message_latency_ns)),
      per_pe_latency_(ns_to_ps(attrs.per_pe_latency_ns)),
      pj_per_message_(attrs.pj_per_message),
      energy_(add_energy(EnergyClass::control, attrs.static_w)),
      inbox_stats_(add_queue("inbox")),
      inbox_depth_(add_value("inbox_depth", 8)),
      zeros_(64, 0) {
  if (dispatches) {
    dispatcher_ =
        std::make_unique<GraphDispatch>(out, sip, cube, ns_to_ps(attrs.dispatch_latency_ns));
  }
  SC_THREAD(main);
}

GraphDispatch& MCpu::dispatcher() {
  if (!dispatcher_) throw std::logic_error(std::string(name()) + " holds no graph dispatcher");
  return *dispatcher_;
}

void MCpu::b_transport(int, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  auto message = shared_control_of(p);
  if (!message) {
    p.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  const Picoseconds arrival = now_ps() + to_ps(delay) + transfer_of(p).tail_ps;
  if (dispatcher_ && PhysAddr::decode(p.get_address()).offset == kMcpuDispatchOffset) {
    run_guarded([&] { dispatcher_->take(*message, arrival); });
  } else {
    inbox_.push({arrival, sequence_++, std::move(message)});
    inbox_depth_.add(arrival, +1);
    inbox_stats_.on_depth(inbox_.size());
    delivered_.notify(sc_core::SC_ZERO_TIME);
  }
  delay = from_ps(arrival - now_ps());
  transfer_of(p).tail_ps = 0;
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

void MCpu::main() {
  run_guarded([this] {
    for (;;) {
      while (inbox_.empty()) sc_core::wait(delivered_);
      const Inbound next = inbox_.top();
      if (next.arrival > now_ps()) {
        // Wake at the arrival, or earlier if something that arrives sooner is delivered.
        sc_core::wait(from_ps(next.arrival - now_ps()), delivered_);
        continue;
      }
      inbox_.pop();
      inbox_stats_.on_pop(inbox_.size());
      inbox_depth_.add(now_ps(), -1);
      handle(next.message, next.arrival);
    }
  });
}

void MCpu::issue(tlm::tlm_generic_payload& p, const char* what) {
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  out.transport(0, p, delay);
  if (p.get_response_status() != tlm::TLM_OK_RESPONSE) {
    fail("{} to {} failed: {}", what, PhysAddr::decode(p.get_address()).to_string(),
         p.get_response_string());
  }
  sc_core::wait(delay + from_ps(transfer_of(p).tail_ps));
}

void MCpu::handle(const std::shared_ptr<const ControlMessage>& message, Picoseconds arrival) {
  energy_.charge(pj_per_message_, now_ps(), now_ps());
  if (const auto* done = std::get_if<PeDone>(&message->body)) {
    sc_core::wait(from_ps(per_pe_latency_));
    handle_pe_done(*done);
    return;
  }
  Completion completion;
  completion.request_id = message->request_id;
  completion.sip = sip_;
  completion.cube = cube_;
  completion.arrived_ps = arrival;
  completion.started_ps = now_ps();
  sc_core::wait(from_ps(message_latency_ + per_pe_latency_ * message->target_pes.size()));
  std::visit(Overloaded{
                 [&](const KernelLaunch&) {
                   pending_[message->request_id] =
                       Pending{message, std::move(completion), message->target_pes.size()};
                   fan_out(message);
                 },
                 [&](const MemoryWrite&) {
                   transfer_memory(*message, completion);
                   complete(*message, std::move(completion));
                 },
                 [&](const MemoryRead&) {
                   transfer_memory(*message, completion);
                   complete(*message, std::move(completion));
                 },
                 [&](const PeDone&) {},
                 [&](const Completion&) { fail("an M_CPU does not take Completion messages"); },
                 [&](const auto&) {  // MmuMap, MmuUnmap, IpcqInit, GraphLoad
                   fan_out(message);
                   complete(*message, std::move(completion));
                 },
             },
             message->body);
}

void MCpu::fan_out(const std::shared_ptr<const ControlMessage>& message) {
  for (std::uint32_t pe : message->target_pes) {
    issue(txn_.control(PhysAddr::mmio(sip_, cube_, pe, kPeControlOffset).encode(), message),
          message->kind());
  }
}

void MCpu::transfer_memory(const ControlMessage& message, Completion& completion) {
  // A generic payload's length is 32 bits: large transfers go out in 1 GiB pieces.
  constexpr std::uint64_t kPiece = 1ULL << 30;
  if (const auto* w = std::get_if<MemoryWrite>(&message.body)) {
    const bool zero = w->pattern == MemoryWrite::Pattern::zero;
    // A timing-only write may carry no bytes, as a timing-only read returns none: the
    // scratch below stands for them.
    const bool scratch = zero || (timing_only_ && !w->data);
    if (!scratch && (!w->data || w->data->size() != w->nbytes)) {
      fail("MemoryWrite '{}' carries {} bytes of data for {} bytes", message.label,
           w->data ? w->data->size() : 0, w->nbytes);
    }
    for (std::uint64_t done = 0; done < w->nbytes; done += kPiece) {
      unsigned char* data =
          scratch ? zeros_.data() : const_cast<unsigned char*>(w->data->data()) + done;
      tlm::tlm_generic_payload& p = txn_.access(tlm::TLM_WRITE_COMMAND, w->dst_pa + done, data,
                                                std::min(kPiece, w->nbytes - done));
      txn_.transfer().zero_fill = zero;
      txn_.transfer().timing_only = timing_only_;
      issue(p, "MemoryWrite");
    }
  } else if (const auto* r = std::get_if<MemoryRead>(&message.body)) {
    // A timing-only read moves no bytes: the scratch below stands for them.
    auto bytes = std::make_shared<std::vector<unsigned char>>(timing_only_ ? 0 : r->nbytes);
    for (std::uint64_t done = 0; done < r->nbytes; done += kPiece) {
      unsigned char* into = timing_only_ ? zeros_.data() : bytes->data() + done;
      tlm::tlm_generic_payload& p = txn_.access(tlm::TLM_READ_COMMAND, r->src_pa + done, into,
                                                std::min(kPiece, r->nbytes - done));
      txn_.transfer().timing_only = timing_only_;
      issue(p, "MemoryRead");
    }
    completion.data_bytes = r->nbytes;
    completion.data = std::move(bytes);
  }
  completion.finished_ps = now_ps();
}

void MCpu::handle_pe_done(const PeDone& done) {
  const auto it = pending_.find(done.request_id);
  if (it == pending_.end())
    fail("PeDone from PE {} for unknown request {}", done.pe, done.request_id);
  Pending& pending = it->second;
  pending.completion.pes.push_back({done.pe, done.started_ps, done.finished_ps});
  if (--pending.remaining > 0) return;
  Pending finished = std::move(pending);
  pending_.erase(it);
  finished.completion.finished_ps = now_ps();
  complete(*finished.request, std::move(finished.completion));
}

void MCpu::complete(const ControlMessage& request, Completion completion) {
  if (completion.finished_ps == 0) completion.finished_ps = now_ps();
  auto reply = std::make_shared<ControlMessage>();
  reply->request_id = request.request_id;
  reply->label = request.label;
  reply->body = std::move(completion);
  issue(txn_.control(request.reply_to, std::move(reply)), "Completion");
}

}  // namespace kb::models

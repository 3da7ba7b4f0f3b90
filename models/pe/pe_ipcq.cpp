#include "models/pe/pe_ipcq.h"

#include "models/common/wait_registry.h"
#include "models/protocol/phys_addr.h"

#include <algorithm>
#include <cstring>

namespace kb::models {

PeIpcq::PeIpcq(const sc_core::sc_module_name& name, const PeIpcqAttrs& attrs)
    : Component(name),
      out("out"),
      depth_(static_cast<std::uint64_t>(attrs.depth)),
      entry_bytes_(static_cast<std::uint64_t>(attrs.entry_bytes)),
      occupancy_(add_value("occupancy", 8)) {}

void PeIpcq::init(const IpcqRankEntry& entry) {
  rank_ = entry.rank;
  neighbours_.clear();
  for (const IpcqPeer& peer : entry.neighbours) {
    Neighbour n{peer.rank, peer.ipcq_pa, {}, {}, &add_queue(fmt::format("from_rank{}", peer.rank))};
    n.credits.assign(depth_, 0);
    neighbours_.push_back(std::move(n));
  }
}

PeIpcq::Neighbour& PeIpcq::neighbour(std::uint32_t rank, const char* what) {
  if (!rank_) fail("IPCQ {} with rank {} before IpcqInit", what, rank);
  for (Neighbour& n : neighbours_) {
    if (n.rank == rank) return n;
  }
  fail("IPCQ {}: rank {} is not a neighbour of rank {}", what, rank, *rank_);
}

void PeIpcq::receive(std::uint64_t offset, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  const auto rank = static_cast<std::uint32_t>((offset & 0xFFFFFFFFULL) >> kIpcqRankShift);
  const Picoseconds arrival = now_ps() + to_ps(delay) + transfer_of(p).tail_ps;
  if (offset >= kIpcqCreditOffset) {
    neighbour(rank, "credit").credits.push_back(arrival);
  } else {
    Neighbour& n = neighbour(rank, "entry");
    if (n.received.size() >= depth_) {
      fail("IPCQ overflow: rank {} sent more than {} entries without credits", rank, depth_);
    }
    Entry e{arrival, {}, 0};
    if (!spare_.empty()) {  // reuse a consumed entry's buffer: no allocation per entry
      e.bytes = std::move(spare_.back());
      spare_.pop_back();
    }
    if (!transfer_of(p).timing_only) {
      e.bytes.assign(p.get_data_ptr(), p.get_data_ptr() + p.get_data_length());
    } else {
      e.bytes.resize(p.get_data_length());
    }
    n.received.push_back(std::move(e));
    occupancy_.add(arrival, +1);
    n.depth_stats->on_depth(n.received.size());
  }
  arrived_.notify(from_ps(arrival - now_ps()));
  delay = from_ps(arrival - now_ps());
  transfer_of(p).tail_ps = 0;
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

void PeIpcq::catch_up(tlm_utils::tlm_quantumkeeper& qk, Picoseconds at) {
  const Picoseconds local = to_ps(qk.get_current_time());
  if (at > local) qk.inc(from_ps(at - local));
}

void PeIpcq::wait_until(tlm_utils::tlm_quantumkeeper& qk, const std::function<bool()>& ready,
                        const std::function<std::string()>& what) {
  if (ready()) return;
  const ScopedWait blocked(what());
  while (!ready()) {
    qk.sync();
    // What arrived while syncing has already been notified: look again before waiting.
    if (ready()) break;
    sc_core::wait(arrived_);
  }
}

void PeIpcq::post(std::uint64_t address, unsigned char* data, std::uint64_t nbytes,
                  tlm_utils::tlm_quantumkeeper& qk, const TransferExtension& like, bool sideband) {
  tlm::tlm_generic_payload& p = txn_.access(tlm::TLM_WRITE_COMMAND, address, data, nbytes);
  txn_.transfer().physical = true;
  txn_.transfer().sideband = sideband;
  txn_.transfer().timing_only = like.timing_only;
  txn_.transfer().initiator = like.initiator;
  sc_core::sc_time delay = qk.get_local_time();
  out.transport(0, p, delay);
  if (p.get_response_status() != tlm::TLM_OK_RESPONSE) {
    fail("IPCQ write to {} failed: {}", PhysAddr::decode(address).to_string(),
         p.get_response_string());
  }
  // Posted, by the IPCQ's own DMA: the core does not wait for the transfer; the fabric's
  // bookings keep successive entries in order, and credits bound how many are in flight.
}

void PeIpcq::send(std::uint32_t peer, const unsigned char* src, std::uint64_t nbytes,
                  tlm_utils::tlm_quantumkeeper& qk, const TransferExtension& like) {
  Neighbour& n = neighbour(peer, "send");
  const std::uint64_t target =
      n.ipcq_base + kIpcqDataOffset + (static_cast<std::uint64_t>(*rank_) << kIpcqRankShift);
  for (std::uint64_t done = 0; done < nbytes;) {
    const std::uint64_t chunk = std::min(entry_bytes_, nbytes - done);
    wait_until(
        qk, [&] { return !n.credits.empty(); },
        [&] {
          return fmt::format("{} (rank {}) waits for IPCQ credit from rank {}",
                             like.initiator ? *like.initiator : name(), *rank_, peer);
        });
    catch_up(qk, n.credits.front());
    n.credits.pop_front();
    post(target, const_cast<unsigned char*>(src + done), chunk, qk, like, false);
    done += chunk;
  }
}

void PeIpcq::recv(std::uint32_t peer, unsigned char* dst, std::uint64_t nbytes,
                  tlm_utils::tlm_quantumkeeper& qk, const TransferExtension& like) {
  Neighbour& n = neighbour(peer, "recv");
  const std::uint64_t credit_to =
      n.ipcq_base + kIpcqCreditOffset + (static_cast<std::uint64_t>(*rank_) << kIpcqRankShift);
  for (std::uint64_t done = 0; done < nbytes;) {
    wait_until(
        qk, [&] { return !n.received.empty(); },
        [&] {
          return fmt::format("{} (rank {}) waits for IPCQ data from rank {}",
                             like.initiator ? *like.initiator : name(), *rank_, peer);
        });
    Entry& e = n.received.front();
    catch_up(qk, e.arrival);
    const std::uint64_t chunk = std::min<std::uint64_t>(e.bytes.size() - e.consumed, nbytes - done);
    if (!like.timing_only) std::memcpy(dst + done, e.bytes.data() + e.consumed, chunk);
    e.consumed += chunk;
    done += chunk;
    if (e.consumed == e.bytes.size()) {
      spare_.push_back(std::move(e.bytes));
      n.received.pop_front();
      occupancy_.add(to_ps(qk.get_current_time()), -1);
      n.depth_stats->on_pop(n.received.size());
      post(credit_to, reinterpret_cast<unsigned char*>(&credit_word_), sizeof credit_word_, qk,
           like, true);
    }
  }
}

}  // namespace kb::models

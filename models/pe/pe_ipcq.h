#pragma once
// A PE's inter-PE communication queues (IPCQ): one receive queue per neighbour rank,
// `depth` entries of up to `entry_bytes` each, filled by the neighbour through the fabric.
//
// - send(peer) cuts the data into entries and writes each into the peer's queue for this
//   rank, as posted DMA writes the core does not wait for. A sender holds one credit per
//   free entry of that queue; with none left it waits until the receiver returns one
//   (back-pressure).
// - recv(peer) takes bytes from the queue in arrival order (a byte stream: entry bounds
//   do not matter), waiting until data arrives, and returns a credit per entry consumed.
// - An entry or credit is visible at the simulated time it arrives, never earlier.
// - Credits travel as sideband flow control: they pay every hop's latency but take no
//   bandwidth, so they never queue behind the data they regulate.
// Both run in the calling kernel's thread, on its local time (quantum keeper).

#include "models/common/component.h"
#include "models/common/initiator_port.h"
#include "models/pe/pe_ipcq_attrs.h"
#include "models/protocol/messages.h"
#include "models/protocol/transaction.h"

#include <tlm_utils/tlm_quantumkeeper.h>

#include <deque>
#include <functional>
#include <optional>

namespace kb::models {

class PeIpcq : public Component {
 public:
  PeIpcq(const sc_core::sc_module_name& name, const PeIpcqAttrs& attrs);

  InitiatorPort out;  // entries and credits, into the PE's MMU (physical)

  void init(const IpcqRankEntry& entry);
  bool initialised() const { return rank_.has_value(); }
  std::uint32_t rank() const { return *rank_; }

  // Called by the PE for a write to its IPCQ endpoint (entry or credit).
  void receive(std::uint64_t offset, tlm::tlm_generic_payload& p, sc_core::sc_time& delay);

  void send(std::uint32_t peer, const unsigned char* src, std::uint64_t nbytes,
            tlm_utils::tlm_quantumkeeper& qk, const TransferExtension& like);
  void recv(std::uint32_t peer, unsigned char* dst, std::uint64_t nbytes,
            tlm_utils::tlm_quantumkeeper& qk, const TransferExtension& like);

 private:
  struct Entry {
    Picoseconds arrival;
    std::vector<unsigned char> bytes;
    std::size_t consumed = 0;
  };
  struct Neighbour {
    std::uint32_t rank;
    std::uint64_t ipcq_base;          // the peer's IPCQ endpoint
    std::deque<Picoseconds> credits;  // when each credit towards the peer is usable
    std::deque<Entry> received;       // entries from the peer, in arrival order
    QueueStats* depth_stats;
  };

  Neighbour& neighbour(std::uint32_t rank, const char* what);
  // Waits (in the caller's thread) until `ready` holds; events at arrival times wake it.
  // `what` says what for, in a deadlock report.
  void wait_until(tlm_utils::tlm_quantumkeeper& qk, const std::function<bool()>& ready,
                  const std::function<std::string()>& what);
  // Moves the caller's local time up to `at` if it is earlier.
  static void catch_up(tlm_utils::tlm_quantumkeeper& qk, Picoseconds at);
  void post(std::uint64_t address, unsigned char* data, std::uint64_t nbytes,
            tlm_utils::tlm_quantumkeeper& qk, const TransferExtension& like, bool sideband);

  const std::uint64_t depth_;
  const std::uint64_t entry_bytes_;
  TracedValue& occupancy_;  // VCD: entries arrived and not yet taken, over all queues
  std::optional<std::uint32_t> rank_;
  std::vector<Neighbour> neighbours_;
  sc_core::sc_event arrived_;                      // an entry or a credit was delivered
  std::vector<std::vector<unsigned char>> spare_;  // buffers of consumed entries
  Transaction txn_;
  std::uint64_t credit_word_ = 1;
};

}  // namespace kb::models

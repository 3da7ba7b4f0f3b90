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
// - Flow fidelity (models/common/fidelity.h): a send of k entries is one transaction that
//   takes min(k, depth) credits at once. The entries' spread is kept analytically: the
//   transfer's tail trails its head by at least the credits' spread, the source's spread
//   (data produced as it goes) and, beyond a queue's worth, one round trip per further
//   queue's worth (throughput at most depth x entry per round trip; a round trip includes
//   the receiver taking the unit an entry is in, StreamShape). The receiver sees when
//   the first and the last entry would have arrived and returns the credits in one message.
//   A pair's first credit message crosses the fabric; the later ones, whose latency that
//   one measured (sideband: nothing they cross is booked), go straight to the sender's IPCQ.
// Both run in the calling kernel's thread, on its local time (quantum keeper).

#include "models/common/component.h"
#include "models/common/fidelity.h"
#include "models/common/initiator_port.h"
#include "models/common/local_clock.h"
#include "models/pe/credit_queue.h"
#include "models/pe/pe_ipcq_attrs.h"
#include "models/protocol/messages.h"
#include "models/protocol/stream_shape.h"
#include "models/protocol/transaction.h"

#include <boost/circular_buffer.hpp>

#include <functional>
#include <optional>

namespace kb::models {

class PeIpcq : public Component {
 public:
  PeIpcq(const sc_core::sc_module_name& name, const PeIpcqAttrs& attrs, Fidelity fidelity);

  InitiatorPort out;  // entries and credits, into the PE's MMU (physical)

  void init(const IpcqRankEntry& entry);
  bool initialised() const { return rank_.has_value(); }
  std::uint32_t rank() const { return *rank_; }

  // Called by the PE for a write to its IPCQ endpoint (entry or credit).
  void receive(std::uint64_t offset, tlm::tlm_generic_payload& p, sc_core::sc_time& delay);

  // Sends `nbytes`, shaped as `shape` says (models/protocol/kernel_program.h). Returns when
  // the last entry was issued (entry by entry, once its credit came; flow, as its credit
  // window has it).
  Picoseconds send(std::uint32_t peer, const unsigned char* src, std::uint64_t nbytes,
                   const StreamShape& shape, LocalClock& clock, const TransferExtension& like);
  // Entry by entry: whether a send of `send_bytes` to `to` goes before a receive of
  // `recv_bytes` from `from`: it does if its credits are usable no later than the data is
  // in. Where the data is due and the credits are not back, it waits for them until then.
  bool send_goes_first(std::uint32_t to, std::uint64_t send_bytes, std::uint32_t from,
                       std::uint64_t recv_bytes, LocalClock& clock, const TransferExtension& like);
  // Takes `nbytes`. Transaction fidelity returns when the last of them is in; flow returns
  // once the first is in (the caller waits for `last` when it needs it), and frees the
  // entries no earlier than `taken_from` (when the caller could take the last of them).
  StreamArrival recv(std::uint32_t peer, unsigned char* dst, std::uint64_t nbytes,
                     LocalClock& clock, const TransferExtension& like, Picoseconds taken_from);
  // Flow fidelity: the caller comes, at its local time, to take the next transfer from
  // `peer` (waiting until it is sent). Past its first queue's worth, a transfer of more goes
  // on only as its receiver takes entries: one that comes later than the transfer's credit
  // window needed holds the rest back by as much, its last entry leaving and arriving that
  // much later. The sender learns it (window_taken). A recv that finds its transfer not yet
  // come for comes for it then.
  void begin_recv(std::uint32_t peer, LocalClock& clock, const TransferExtension& like);
  // Flow fidelity: waits until the receiver of this queue's transfers to `peer` of more than
  // a queue's worth has come for each (begin_recv), and returns when the last of their
  // entries left (0 if none was sent).
  Picoseconds window_taken(std::uint32_t peer, LocalClock& clock, const TransferExtension& like);

 private:
  struct Entry {
    Picoseconds first;                 // when its first queue entry's worth arrived (flow)
    Picoseconds arrival;               // when all of it arrived
    std::vector<unsigned char> bytes;  // its data; none in a timing-only run
    std::uint64_t length = 0;          // its bytes, held or not
    std::size_t consumed = 0;
    std::uint64_t slots = 1;  // queue entries it holds (credits to return)
    CreditWord credits;       // what it returns once taken, timed from when it was in
    // A flow transfer of more than a queue's worth: the IPCQ that sent it, until its receiver
    // comes for it; the latest its receiver may come without holding back its entries past
    // the first queue's worth; and when its last entry left if the receiver came by then.
    PeIpcq* window = nullptr;
    Picoseconds take_by = 0;
    Picoseconds left = 0;
  };
  struct Neighbour {
    std::uint32_t rank = 0;
    std::uint64_t ipcq_base = 0;  // the peer's IPCQ endpoint
    // Both hold at most a queue's worth (`depth` credits, entries of a slot or more), in
    // rings of that capacity, so that a step allocates nothing.
    CreditQueue credits;                     // when each credit towards the peer is usable
    boost::circular_buffer<Entry> received;  // entries from the peer, in arrival order
    std::uint64_t held = 0;                  // queue entries they occupy
    // Flow fidelity: the IPCQ the credits to the peer go to, once the first has crossed
    // the fabric, and their latency from their issue (TransferExtension::credit_sink).
    PeIpcq* credit_sink = nullptr;
    Picoseconds credit_latency = 0;
    // Flow fidelity: transfers to the peer of more than a queue's worth, those its receiver
    // has come for, and when the last of these left (begin_recv, window_taken).
    std::uint64_t windows_sent = 0;
    std::uint64_t windows_taken = 0;
    Picoseconds window_left = 0;
    QueueStats* depth_stats = nullptr;
  };

  Neighbour& neighbour(std::uint32_t rank, const char* what);
  // What a blocked send or receive waits for: `count` (when not 0) `what` from `peer`.
  struct Waiting {
    const PeIpcq& queue;
    const TransferExtension& like;  // names the waiting kernel
    const char* what;
    std::uint32_t peer;
    std::uint64_t count = 0;
    std::string describe() const;  // only for a deadlock report
  };
  // Deliveries of one kind (entries or credits), for the processes blocked on them.
  struct Arrivals {
    // Events are named: SystemC names an unnamed one made during elaboration itself,
    // through a stringstream, about 4,700 instructions an event.
    explicit Arrivals(const char* name) : event(name) {}
    sc_core::sc_event event;    // one was delivered
    std::uint32_t blocked = 0;  // processes waiting for one in block_until
  };
  // Waits (in the caller's thread) until `ready` holds; events at arrival times wake it.
  // Inline, so that the usual case (ready at once) costs no std::function: each queue entry
  // is checked this way.
  template <class Ready>
  void wait_until(LocalClock& clock, Ready&& ready, Arrivals& on, const Waiting& waiting) {
    if (!ready()) block_until(clock, ready, on, waiting);
  }
  // The same, giving up once the caller's time reaches `deadline` (kMaxPicoseconds: never).
  void block_until(LocalClock& clock, const std::function<bool()>& ready, Arrivals& on,
                   const Waiting& waiting, Picoseconds deadline = kMaxPicoseconds);
  // When a send of `nbytes` to `n` has the last of its credits (kMaxPicoseconds: not yet
  // returned), and when `nbytes` from `n` are in (kMaxPicoseconds: not all sent yet).
  Picoseconds credits_usable(const Neighbour& n, std::uint64_t nbytes) const;
  Picoseconds data_in(const Neighbour& n, std::uint64_t nbytes) const;
  // Wakes the processes blocked on `arrivals` at `visible`.
  void wake(Arrivals& arrivals, Picoseconds visible);
  // Queues credits from `rank`, their message having arrived at `arrival` (through the
  // fabric, or in flow fidelity directly, TransferExtension::credit_sink).
  void take_credits(std::uint32_t rank, const CreditWord& word, Picoseconds arrival);
  // Posts a write at local time + `after`, shaped as `shape` says (its tail trailing its
  // head by at least the spread); `window`: the IPCQ its receiver tells when it comes for it.
  void post(std::uint64_t address, unsigned char* data, std::uint64_t nbytes, LocalClock& clock,
            const TransferExtension& like, bool sideband, Picoseconds after = 0,
            const StreamShape& shape = {}, PeIpcq* window = nullptr);
  // Tells the sender of `e`, if it waits to be told, that its receiver came for it at `at`,
  // and holds back its arrival if that was later than its window needed (begin_recv).
  void come_for(Entry& e, Picoseconds at);
  // Flow fidelity's send: all entries in one transfer. Returns when the last was issued.
  Picoseconds send_flow(Neighbour& n, std::uint64_t target, const unsigned char* src,
                        std::uint64_t nbytes, const StreamShape& shape, LocalClock& clock,
                        const TransferExtension& like);
  // The queue entries `nbytes` fill (at least one), and the credits a transfer of them takes
  // at once (at most a queue's worth).
  std::uint64_t entries_of(std::uint64_t nbytes) const;
  std::uint64_t slots_of(std::uint64_t nbytes) const;

  const std::uint64_t depth_;
  const std::uint64_t entry_bytes_;
  const Fidelity fidelity_;
  const double pj_per_entry_;
  EnergyAccount& energy_;
  TracedValue& occupancy_;  // VCD: entries arrived and not yet taken, over all queues
  std::optional<std::uint32_t> rank_;
  std::vector<Neighbour> neighbours_;
  // Processes blocked on entries (receives) and on credits (sends) wait apart: a credit
  // does not wake a ring's receiver for nothing, nor an entry its sender.
  Arrivals entry_arrivals_{"entry_arrived"}, credit_arrivals_{"credit_arrived"};
  std::vector<std::vector<unsigned char>> spare_;  // buffers of consumed entries
  Transaction txn_;
  CreditWord credit_word_;
};

}  // namespace kb::models

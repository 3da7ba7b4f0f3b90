#include "models/pe/pe_ipcq.h"

#include "models/common/wait_registry.h"
#include "models/protocol/phys_addr.h"

#include <algorithm>
#include <cstring>

namespace kb::models {

PeIpcq::PeIpcq(const sc_core::sc_module_name& name, const PeIpcqAttrs& attrs, Fidelity fidelity)
    : Component(name),
      out("out"),
      depth_(static_cast<std::uint64_t>(attrs.depth)),
      entry_bytes_(static_cast<std::uint64_t>(attrs.entry_bytes)),
      fidelity_(fidelity),
      pj_per_entry_(attrs.pj_per_entry),
      energy_(add_energy(EnergyClass::control, 0.0)),
      occupancy_(add_value("occupancy", 8)) {}

void PeIpcq::init(const IpcqRankEntry& entry) {
  rank_ = entry.rank;
  neighbours_.clear();
  for (const IpcqPeer& peer : entry.neighbours) {
    Neighbour& n = neighbours_.emplace_back();
    n.rank = peer.rank;
    n.ipcq_base = peer.ipcq_pa;
    n.credits.reset(depth_);
    n.credits.push(CreditWord{depth_, 0, 0, 0}, 0);  // a queue's worth, usable at once
    n.received.set_capacity(depth_);
    n.depth_stats = &add_queue(fmt::format("from_rank{}", peer.rank));
  }
}

PeIpcq::Neighbour& PeIpcq::neighbour(std::uint32_t rank, const char* what) {
  if (!rank_) fail("IPCQ {} with rank {} before IpcqInit", what, rank);
  for (Neighbour& n : neighbours_) {
    if (n.rank == rank) return n;
  }
  fail("IPCQ {}: rank {} is not a neighbour of rank {}", what, rank, *rank_);
}

std::uint64_t PeIpcq::entries_of(std::uint64_t nbytes) const {
  return std::max<std::uint64_t>(1, (nbytes + entry_bytes_ - 1) / entry_bytes_);
}

std::uint64_t PeIpcq::slots_of(std::uint64_t nbytes) const {
  return std::min(depth_, entries_of(nbytes));
}

void PeIpcq::receive(std::uint64_t offset, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  const auto rank = static_cast<std::uint32_t>(offset & kIpcqRankMask);
  TransferExtension& t = transfer_of(p);
  const Picoseconds now = now_ps();
  const Picoseconds head = now + to_ps(delay);
  const std::uint64_t entries = entries_of(p.get_data_length());
  // The path's serialization of the data, and the data's own spread (still produced, or
  // waiting for credits): its last entry, ready a spread after the send's issue, arrives
  // a path's latency and its own serialization later. Busy resources that held the head
  // back held back the data already there, not the spread's end.
  const Picoseconds paced =
      t.shape.issued + t.shape.spread + t.path_latency_ps + t.tail_ps / entries;
  Picoseconds tail = std::max(t.tail_ps, paced > head ? paced - head : 0);
  // The credits an entry returns once taken: its entries arrive evenly over the tail,
  // unless the credit window spaces them (below).
  CreditWord credits{slots_of(p.get_data_length()),
                     entries > 1 ? (tail - tail / entries) / (entries - 1) : 0, 0, 0};
  // The sender issued its last entry once its data and its credit were there.
  t.last_issued_ps = t.shape.spread;
  Picoseconds take_by = 0;
  if (offset < kIpcqCreditOffset && entries > depth_) {
    // Past the first queue's worth, entry j + depth waits for the credit of entry j, which
    // comes back a round trip after entry j left: the path's latency twice, the time the
    // receiver's unit holding entry j takes to arrive and the receiver's taking it. The
    // last entry leaves `rounds` round trips after the entry of the first round it
    // follows, which left when its credit came (credit_lag) or after the entries before
    // it, whichever is later, and arrives an entry's time after that.
    const Picoseconds entry_time = t.tail_ps / entries;
    const std::uint64_t unit_entries = entries_of(t.shape.unit_bytes);
    const Picoseconds round_trip =
        2 * t.path_latency_ps + std::min(unit_entries, depth_) * entry_time + t.shape.unit_ps;
    // Entry j's credit goes back when the receiver takes the unit holding it. The first
    // round's go back in time if it takes the first unit as it arrives, or, later, by when
    // entry `depth` would have left without the window: a round trip before it arrives.
    take_by = head + std::min(unit_entries, depth_) * entry_time + t.shape.unit_ps;
    const Picoseconds unwindowed = tail * depth_ / entries;
    if (head + unwindowed > take_by + 2 * t.path_latency_ps) {
      take_by = head + unwindowed - 2 * t.path_latency_ps;
    }
    const std::uint64_t rounds = (entries + depth_ - 1) / depth_ - 1;
    const std::uint64_t last = entries - rounds * depth_;  // entries of the last round
    const Picoseconds windowed =
        rounds * round_trip + std::max(t.shape.credit_lag + entry_time, last * entry_time);
    t.last_issued_ps = std::max(t.last_issued_ps, windowed - entry_time);
    if (windowed >= tail) {
      tail = windowed;
      // The last round's entries arrive an entry's time apart; the queue's worth whose
      // credits go back also holds the round before's last entries, which arrived a round
      // trip earlier.
      credits = {depth_, entry_time, depth_ - last,
                 round_trip > depth_ * entry_time ? round_trip - depth_ * entry_time : 0};
    }
  }
  const Picoseconds arrival = head + tail;
  if (offset >= kIpcqCreditOffset) {
    CreditWord word;
    std::memcpy(&word, p.get_data_ptr(), std::min<std::size_t>(sizeof word, p.get_data_length()));
    take_credits(rank, word, arrival);
    t.credit_sink = this;
    t.credit_arrival_ps = arrival;
  } else {
    Neighbour& n = neighbour(rank, "entry");
    const std::uint64_t slots = slots_of(p.get_data_length());
    if (n.held + slots > depth_) {
      fail("IPCQ overflow: rank {} sent more than {} entries without credits", rank, depth_);
    }
    // A receiver may start on an entry once its first bytes are in (all of it, unless flow).
    const Picoseconds visible = head + tail / entries;
    Entry e{visible, arrival, {}, p.get_data_length(), 0, slots, credits};
    if (entries > depth_ && t.window_from != nullptr) {
      e.window = t.window_from;
      e.take_by = take_by;
      e.left = t.shape.issued + t.last_issued_ps;
    }
    // A timing-only entry keeps its length alone: a flow transfer of a whole buffer would
    // otherwise hold its size in host memory at every receiver.
    if (!t.timing_only) {
      if (!spare_.empty()) {  // reuse a consumed entry's buffer: no allocation per entry
        e.bytes = std::move(spare_.back());
        spare_.pop_back();
      }
      e.bytes.assign(p.get_data_ptr(), p.get_data_ptr() + p.get_data_length());
    }
    n.received.push_back(std::move(e));
    n.held += slots;
    occupancy_.add(arrival, +static_cast<std::int64_t>(slots));
    n.depth_stats->on_depth(n.held);
    wake(entry_arrivals_, visible);
  }
  delay = from_ps(arrival - now);
  t.tail_ps = 0;
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

void PeIpcq::take_credits(std::uint32_t rank, const CreditWord& word, Picoseconds arrival) {
  Neighbour& n = neighbour(rank, "credit");
  if (n.credits.size() + word.count > depth_) {
    fail("IPCQ credit overflow: rank {} returned more than {} credits", rank, depth_);
  }
  n.credits.push(word, arrival);
  // A sender waiting for credits may go on with the first of them.
  wake(credit_arrivals_, word.at(arrival, 0));
}

void PeIpcq::wake(Arrivals& arrivals, Picoseconds visible) {
  // Only a process blocked in block_until needs waking: one that checks later finds the
  // entry or credit already queued. (A timed notification per entry costs the kernel's
  // event queue more than the entry's transport.)
  if (arrivals.blocked != 0) arrivals.event.notify(from_ps(visible - now_ps()));
}

std::string PeIpcq::Waiting::describe() const {
  const char* who = like.initiator ? like.initiator->c_str() : queue.name();
  if (count != 0) {
    return fmt::format("{} (rank {}) waits for {} {} from rank {}", who, *queue.rank_, count, what,
                       peer);
  }
  return fmt::format("{} (rank {}) waits for {} from rank {}", who, *queue.rank_, what, peer);
}

void PeIpcq::block_until(LocalClock& clock, const std::function<bool()>& ready, Arrivals& on,
                         const Waiting& waiting, Picoseconds deadline) {
  // Described only in a deadlock report; the lambda holds one reference, so that the
  // std::function needs no allocation.
  const std::function<std::string()> what = [&waiting] { return waiting.describe(); };
  const ScopedWait blocked(what);
  struct Count {  // processes in here, for receive(); left on any exit (a killed process too)
    std::uint32_t& n;
    explicit Count(std::uint32_t& c) : n(c) { ++n; }
    ~Count() { --n; }
    Count(const Count&) = delete;
    Count& operator=(const Count&) = delete;
  } counted(on.blocked);
  // It waits for the next arrival without synchronising first: the arrival's notification
  // wakes it either way, and a synchronisation adds a timed wait and a process switch
  // whenever the arrival comes after its local time. Woken, it keeps its local time where
  // that is later than the arrival's.
  while (!ready()) {
    const Picoseconds local = clock.now();
    if (local >= deadline) return;
    if (deadline == kMaxPicoseconds) {
      sc_core::wait(on.event);
    } else {
      sc_core::wait(from_ps(deadline - now_ps()), on.event);
    }
    clock.reset();
    clock.catch_up(local);
  }
}

void PeIpcq::post(std::uint64_t address, unsigned char* data, std::uint64_t nbytes,
                  LocalClock& clock, const TransferExtension& like, bool sideband,
                  Picoseconds after, const StreamShape& shape, PeIpcq* window) {
  tlm::tlm_generic_payload& p = txn_.access(tlm::TLM_WRITE_COMMAND, address, data, nbytes);
  txn_.transfer().physical = true;
  txn_.transfer().sideband = sideband;
  txn_.transfer().timing_only = like.timing_only;
  txn_.transfer().initiator = like.initiator;
  txn_.transfer().tail_ps = 0;  // the hops' serialization; the spread is in the shape
  txn_.transfer().last_issued_ps = 0;
  txn_.transfer().shape = shape;
  txn_.transfer().window_from = window;
  txn_.transfer().shape.grain_bytes = entry_bytes_;
  sc_core::sc_time delay = from_ps(clock.offset() + after);
  out.transport(0, p, delay);
  if (p.get_response_status() != tlm::TLM_OK_RESPONSE) {
    fail("IPCQ write to {} failed: {}", PhysAddr::decode(address).to_string(),
         p.get_response_string());
  }
  // Posted, by the IPCQ's own DMA: the core does not wait for the transfer; the fabric's
  // bookings keep successive entries in order, and credits bound how many are in flight.
}

Picoseconds PeIpcq::credits_usable(const Neighbour& n, std::uint64_t nbytes) const {
  const std::uint64_t needed = slots_of(nbytes);
  return n.credits.size() >= needed ? n.credits[needed - 1] : kMaxPicoseconds;
}

Picoseconds PeIpcq::data_in(const Neighbour& n, std::uint64_t nbytes) const {
  std::uint64_t in = 0;
  for (const Entry& e : n.received) {
    in += e.length - e.consumed;
    if (in >= nbytes) return e.arrival;
  }
  return kMaxPicoseconds;
}

bool PeIpcq::send_goes_first(std::uint32_t to, std::uint64_t send_bytes, std::uint32_t from,
                             std::uint64_t recv_bytes, LocalClock& clock,
                             const TransferExtension& like) {
  const Neighbour& to_peer = neighbour(to, "send");
  const Neighbour* from_peer = nullptr;  // looked up only if the credits are not there
  const std::uint64_t needed = slots_of(send_bytes);
  for (;;) {
    const Picoseconds credits = credits_usable(to_peer, send_bytes), now = clock.now();
    if (credits <= now) return true;  // the usual case
    if (from_peer == nullptr) from_peer = &neighbour(from, "recv");
    const Picoseconds data = data_in(*from_peer, recv_bytes);
    if (data <= now) return false;
    if (credits != kMaxPicoseconds || data == kMaxPicoseconds) return credits <= data;
    // The data is due and the credits are still to come: they may come first (from a
    // process that has not yet run that far), so wait for them until the data is in.
    block_until(
        clock, [&queue = to_peer.credits, needed] { return queue.size() >= needed; },
        credit_arrivals_, {*this, like, "IPCQ credits", to}, data);
  }
}

Picoseconds PeIpcq::send(std::uint32_t peer, const unsigned char* src, std::uint64_t nbytes,
                         const StreamShape& shape, LocalClock& clock,
                         const TransferExtension& like) {
  Neighbour& n = neighbour(peer, "send");
  const std::uint64_t target = n.ipcq_base + kIpcqDataOffset + *rank_;
  // Each entry's push, pop and credit, in either fidelity.
  const Picoseconds local = clock.now();
  if (nbytes != 0) {
    energy_.charge(static_cast<double>(entries_of(nbytes)) * pj_per_entry_, local, local);
  }
  Picoseconds issued = local;
  if (fidelity_ == Fidelity::flow) {
    // A generic payload's length is 32 bits: larger transfers go in 1 GiB parts.
    constexpr std::uint64_t kPart = 1ULL << 30;
    for (std::uint64_t done = 0; done < nbytes; done += kPart) {
      issued = std::max(issued, send_flow(n, target, src + done, std::min(kPart, nbytes - done),
                                          shape, clock, like));
    }
    return issued;
  }
  const Waiting waiting{*this, like, "IPCQ credit", peer};
  for (std::uint64_t done = 0; done < nbytes;) {
    const std::uint64_t chunk = std::min(entry_bytes_, nbytes - done);
    wait_until(
        clock, [&n] { return !n.credits.empty(); }, credit_arrivals_, waiting);
    clock.catch_up(n.credits.front());
    n.credits.pop_front();
    // Entry i of a stream is ready a share of the spread after the first.
    const auto ready =
        static_cast<Picoseconds>(static_cast<double>(shape.spread) * static_cast<double>(done) /
                                 static_cast<double>(nbytes));
    post(target, const_cast<unsigned char*>(src + done), chunk, clock, like, false, ready);
    issued = std::max(issued, clock.now() + ready);
    done += chunk;
  }
  return issued;
}

Picoseconds PeIpcq::send_flow(Neighbour& n, std::uint64_t target, const unsigned char* src,
                              std::uint64_t nbytes, const StreamShape& shape, LocalClock& clock,
                              const TransferExtension& like) {
  const std::uint64_t slots = slots_of(nbytes);
  const Waiting waiting{*this, like, "IPCQ credits", n.rank, slots};
  wait_until(
      clock, [&n, slots] { return n.credits.size() >= slots; }, credit_arrivals_, waiting);
  // The DMA starts with the first credit; the last entry of the queue's worth waits for the
  // last credit, so the tail trails the head by at least the credits' spread.
  clock.catch_up(n.credits.front());
  const Picoseconds local = clock.now();
  const auto after_start = [&](std::uint64_t credit) {
    return n.credits[credit] > local ? n.credits[credit] - local : 0;
  };
  StreamShape shaped = shape;
  shaped.credit_spread = after_start(slots - 1);
  // Beyond a queue's worth, the last entry follows the one this credit lets go.
  const std::uint64_t entries = entries_of(nbytes);
  if (entries > depth_) shaped.credit_lag = after_start((entries - 1) % depth_);
  n.credits.pop_front(slots);
  shaped.spread = std::max(shape.spread, shaped.credit_spread);
  shaped.issued = local;
  // Past a queue's worth, the receiver's coming for it paces it (begin_recv).
  PeIpcq* window = nullptr;
  if (entries > depth_) {
    window = this;
    ++n.windows_sent;
  }
  post(target, const_cast<unsigned char*>(src), nbytes, clock, like, false, 0, shaped, window);
  return local + txn_.transfer().last_issued_ps;
}

void PeIpcq::begin_recv(std::uint32_t peer, LocalClock& clock, const TransferExtension& like) {
  Neighbour& n = neighbour(peer, "recv");
  wait_until(clock, [&n] { return !n.received.empty(); }, entry_arrivals_,
             {*this, like, "IPCQ data", peer});
  come_for(n.received.front(), clock.now());
}

void PeIpcq::come_for(Entry& e, Picoseconds at) {
  if (e.window == nullptr) return;
  const Picoseconds late = at > e.take_by ? at - e.take_by : 0;
  e.arrival += late;
  Neighbour& sender = e.window->neighbour(*rank_, "window");
  ++sender.windows_taken;
  sender.window_left = std::max(sender.window_left, e.left + late);
  e.window->wake(e.window->credit_arrivals_, now_ps());
  e.window = nullptr;
}

Picoseconds PeIpcq::window_taken(std::uint32_t peer, LocalClock& clock,
                                 const TransferExtension& like) {
  Neighbour& n = neighbour(peer, "window");
  wait_until(clock, [&n] { return n.windows_taken == n.windows_sent; }, credit_arrivals_,
             {*this, like, "the recv of its transfer", peer});
  return n.window_left;
}

StreamArrival PeIpcq::recv(std::uint32_t peer, unsigned char* dst, std::uint64_t nbytes,
                           LocalClock& clock, const TransferExtension& like,
                           Picoseconds taken_from) {
  Neighbour& n = neighbour(peer, "recv");
  const std::uint64_t credit_to = n.ipcq_base + kIpcqCreditOffset + *rank_;
  const Waiting waiting{*this, like, "IPCQ data", peer};
  StreamArrival got;
  for (std::uint64_t done = 0; done < nbytes;) {
    wait_until(
        clock, [&n] { return !n.received.empty(); }, entry_arrivals_, waiting);
    Entry& e = n.received.front();
    if (done == 0) got.first = e.first;
    come_for(e, clock.now());  // unless begin_recv did
    got.last = e.arrival;
    clock.catch_up(fidelity_ == Fidelity::flow ? e.first : e.arrival);
    const std::uint64_t chunk = std::min<std::uint64_t>(e.length - e.consumed, nbytes - done);
    if (!like.timing_only) std::memcpy(dst + done, e.bytes.data() + e.consumed, chunk);
    e.consumed += chunk;
    done += chunk;
    if (e.consumed == e.length) {
      // The entries are free once taken; a flow transfer is taken as it arrives, so its
      // last `slots` entries are freed one entry's time apart up to its arrival.
      const Picoseconds freed = std::max({clock.now(), e.arrival, taken_from});
      credit_word_ = e.credits;
      n.held -= e.slots;
      occupancy_.add(freed, -static_cast<std::int64_t>(e.slots));
      n.depth_stats->on_pop(n.held);
      if (!e.bytes.empty()) spare_.push_back(std::move(e.bytes));
      n.received.pop_front();
      if (n.credit_sink != nullptr) {
        n.credit_sink->take_credits(*rank_, credit_word_, freed + n.credit_latency);
      } else {
        post(credit_to, reinterpret_cast<unsigned char*>(&credit_word_), sizeof credit_word_, clock,
             like, true, freed - clock.now());
        if (fidelity_ == Fidelity::flow && txn_.transfer().credit_sink != nullptr) {
          n.credit_sink = txn_.transfer().credit_sink;
          n.credit_latency = txn_.transfer().credit_arrival_ps - freed;
        }
      }
    }
  }
  return got;
}

}  // namespace kb::models

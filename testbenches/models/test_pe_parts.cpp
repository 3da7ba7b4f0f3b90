// A PE's MMU and its IPCQ, each driven alone: the MMU through a test initiator with
// memories behind it, two IPCQs through a stub fabric of fixed latency.
#include "models/common/simulation_error.h"
#include "models/interconnect/hop.h"
#include "models/memory/memory.h"
#include "models/pe/credit_queue.h"
#include "models/pe/pe_ipcq.h"
#include "models/pe/pe_mmu.h"
#include "models/pe/tlb.h"
#include "testbenches/harness/sim_test.h"
#include "testbenches/harness/test_initiator.h"

#include <tlm_utils/tlm_quantumkeeper.h>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <deque>
#include <list>
#include <map>
#include <optional>
#include <random>

using namespace kb::models;
using kb::test::TestInitiator;

namespace {

constexpr std::uint64_t kVa = 0x1'0000'0000ULL;

// The MMU of PE 0 of cube 0 (1 GHz): 4 KiB pages, a 2-entry TLB, 1-cycle hits, 100-cycle
// walks. Its own TCM (4 cycles, 512 GB/s) and, through `fabric`, an HBM slice (10 ns,
// 200 GB/s) where 16 KiB are mapped at kVa.
struct MmuBench {
  MmuBench()
      : mmu("mmu", PeMmuAttrs{4096, 2, 1, 100}, PeLocation{0, 0, 0, 0, 0, 1, 1, 1}, 1.0, 1),
        tcm("tcm", {PhysAddr::of(0, 0, Region::tcm, 0).encode(), 1 << 20, 512, 4'000}),
        hbm("hbm", {PhysAddr::of(0, 0, Region::hbm, 0).encode(), 1 << 20, 200, 10'000}),
        core("core") {
    core.out.bind(mmu.in);
    mmu.local.bind(tcm.target);
    mmu.fabric.bind(hbm.target);
    mmu.map({MapEntry{kVa, hbm.base(), 16384}});
  }
  PeMmu mmu;
  Memory tcm, hbm;
  TestInitiator core;
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_tlb_miss_costs_one_walk_and_a_hit_one_cycle) {
  set_time_resolution();
  MmuBench bench;
  kb::test::Driver driver("driver", [&] {
    std::vector<unsigned char> buffer(64);
    // Miss: 1 (lookup) + 99 (the rest of the walk) cycles, then 10 ns + 64 B at 200 GB/s.
    BOOST_TEST(bench.core.access(tlm::TLM_READ_COMMAND, kVa + 128, buffer.data(), 64) ==
               100'000u + 10'000u + 320u);
    // The same page again: a hit.
    BOOST_TEST(bench.core.access(tlm::TLM_READ_COMMAND, kVa + 256, buffer.data(), 64) ==
               1'000u + 10'000u + 320u);
    BOOST_TEST(bench.mmu.tlb_misses() == 1u);
    BOOST_TEST(bench.mmu.tlb_hits() == 1u);
    BOOST_TEST(bench.hbm.port().stats().transactions == 2u);
  });
  kb::test::run_to_end(driver);
}

BOOST_AUTO_TEST_CASE(a_burst_looks_each_page_up_once_alongside_its_data) {
  set_time_resolution();
  MmuBench bench;
  kb::test::Driver driver("driver", [&] {
    // 16 rows of 256 bytes, 256 bytes apart: one 4 KiB page, one lookup (a miss).
    std::vector<unsigned char> rows(16 * 256);
    tlm::tlm_generic_payload& p =
        bench.core.txn.access(tlm::TLM_READ_COMMAND, kVa, rows.data(), rows.size());
    bench.core.txn.transfer().burst_rows = 16;
    bench.core.txn.transfer().burst_stride = 256;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    bench.core.out.transport(0, p, delay);
    BOOST_TEST(bench.mmu.tlb_misses() + bench.mmu.tlb_hits() == 1u);
    // The walk (100 cycles), then 10 ns and 4 KiB at 200 GB/s (20480 ps of tail).
    BOOST_TEST(to_ps(delay) + bench.core.txn.transfer().tail_ps == 100'000u + 10'000u + 20'480u);
    sc_core::wait(1, sc_core::SC_US);
    // 12 KiB over pages 0 to 2: 1 and 2 miss (the TLB holds 2), one walk for the access;
    // the three lookups (3 cycles) hide behind the 61.44 ns of data.
    std::vector<unsigned char> big(3 * 4096);
    BOOST_TEST(bench.core.access(tlm::TLM_READ_COMMAND, kVa, big.data(), big.size()) ==
               100'000u + 10'000u + 61'440u);
    BOOST_TEST(bench.mmu.tlb_misses() == 3u);
  });
  kb::test::run_to_end(driver);
}

BOOST_AUTO_TEST_CASE(the_tlb_replaces_the_least_recently_used_page) {
  set_time_resolution();
  MmuBench bench;
  kb::test::Driver driver("driver", [&] {
    std::uint32_t word = 0;
    for (std::uint64_t page : {0, 1, 2, 0, 2}) {
      bench.core.access(tlm::TLM_READ_COMMAND, kVa + page * 4096, &word, 4);
    }
    // 0, 1 and 2 miss (2 evicts 0, the least recently used); 0 misses again and evicts 1;
    // 2 hits.
    BOOST_TEST(bench.mmu.tlb_misses() == 4u);
    BOOST_TEST(bench.mmu.tlb_hits() == 1u);
  });
  kb::test::run_to_end(driver);
}

BOOST_AUTO_TEST_CASE(physical_accesses_to_the_own_tcm_skip_translation_and_the_fabric) {
  set_time_resolution();
  MmuBench bench;
  kb::test::Driver driver("driver", [&] {
    std::vector<unsigned char> data(64, 5);
    tlm::tlm_generic_payload& p = bench.core.txn.access(
        tlm::TLM_WRITE_COMMAND, bench.tcm.base() + 4096, data.data(), data.size());
    bench.core.txn.transfer().physical = true;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    bench.core.out.transport(0, p, delay);
    // 4 cycles + 64 B at 512 GB/s (125 ps); no lookup.
    BOOST_TEST(to_ps(delay) == 4'125u);
    BOOST_TEST(bench.tcm.port().stats().transactions == 1u);
    BOOST_TEST(bench.hbm.port().stats().transactions == 0u);
    BOOST_TEST(bench.mmu.tlb_misses() + bench.mmu.tlb_hits() == 0u);
  });
  kb::test::run_to_end(driver);
}

BOOST_AUTO_TEST_CASE(an_unmapped_address_is_a_fault_naming_it) {
  set_time_resolution();
  MmuBench bench;
  kb::test::Driver driver("driver", [&] {
    std::uint32_t word = 0;
    BOOST_CHECK_EXCEPTION(bench.core.access(tlm::TLM_READ_COMMAND, kVa + 16384, &word, 4),
                          SimulationError, [](const SimulationError& e) {
                            return std::string(e.what()).find("unmapped VA 0x100004000") !=
                                   std::string::npos;
                          });
  });
  kb::test::run_to_end(driver);
}

BOOST_AUTO_TEST_CASE(a_map_keeps_the_nearest_replica_of_each_range_in_any_order) {
  set_time_resolution();
  MmuBench bench;
  const std::uint64_t own = bench.hbm.base();
  const std::uint64_t cube1 = PhysAddr::of(0, 1, Region::hbm, 0).encode();
  const std::uint64_t cube2 = PhysAddr::of(0, 2, Region::hbm, 0).encode();
  constexpr std::uint64_t kMiB = 1 << 20;
  // Listed downwards, each range twice: the nearest replica wins, the first on a tie.
  bench.mmu.map({MapEntry{kVa + 3 * kMiB, cube2, 4096}, MapEntry{kVa + 2 * kMiB, cube1, 4096},
                 MapEntry{kVa + 3 * kMiB, cube1, 4096}, MapEntry{kVa + 2 * kMiB, own, 4096},
                 MapEntry{kVa + kMiB, cube1, 8192}});
  BOOST_TEST(bench.mmu.mappings() == 4u);
  BOOST_TEST(*bench.mmu.translate(kVa + 2 * kMiB + 8) == own + 8);
  BOOST_TEST(*bench.mmu.translate(kVa + 3 * kMiB) == cube2);
  BOOST_TEST(*bench.mmu.translate(kVa + kMiB + 4100) == cube1 + 4100);
  BOOST_TEST(*bench.mmu.translate(kVa + 16383) == own + 16383);  // the bench's own mapping
  BOOST_TEST(!bench.mmu.translate(kVa + kMiB + 8192));
  // Below the last mapping, into a gap between two, and overlapping one: refused.
  bench.mmu.map({MapEntry{kVa + 2 * kMiB - 4096, cube1, 4096}});
  BOOST_TEST(*bench.mmu.translate(kVa + 2 * kMiB - 1) == cube1 + 4095);
  BOOST_CHECK_EXCEPTION(bench.mmu.map({MapEntry{kVa + 2 * kMiB + 4095, cube1, 2}}), SimulationError,
                        [](const SimulationError& e) {
                          return std::string(e.what()).find("overlaps an existing mapping") !=
                                 std::string::npos;
                        });
}

BOOST_AUTO_TEST_CASE(translations_stay_exact_across_thousands_of_mappings_as_ranges_come_and_go) {
  // Lookups remember the last mappings found, and their neighbours, and search every 64th
  // start before the rest: each must give what a plain ordered map gives, for walks from
  // a mapping to the next and back, jumps and misses, after mappings were appended, put
  // between others and removed.
  set_time_resolution();
  MmuBench bench;
  const std::uint64_t cube1 = PhysAddr::of(0, 1, Region::hbm, 0).encode();
  constexpr std::uint64_t kBase = kVa + (1 << 20), kStride = 8192, kSize = 4096, kCount = 3000;
  struct Range {
    std::uint64_t pa, size;
  };
  std::map<std::uint64_t, Range> reference{{kVa, {bench.hbm.base(), 16384}}};
  std::vector<MapEntry> even, odd;
  for (std::uint64_t i = 0; i < kCount; ++i) {
    const std::uint64_t va = kBase + i * kStride, pa = cube1 + i * kSize;
    (i % 2 == 0 ? even : odd).push_back({va, pa, kSize});
    reference[va] = {pa, kSize};
  }
  bench.mmu.map(even);  // appended, then the odd ones each between two
  bench.mmu.map(odd);
  const auto expected = [&](std::uint64_t va) -> std::optional<std::uint64_t> {
    const auto after = reference.upper_bound(va);
    if (after == reference.begin()) return std::nullopt;
    const auto& [start, range] = *std::prev(after);
    if (va >= start + range.size) return std::nullopt;
    return range.pa + (va - start);
  };
  std::mt19937_64 random(7);
  const auto check = [&] {
    for (int n = 0; n < 4000; ++n) {
      const std::uint64_t va = kVa + random() % (kBase + kCount * kStride - kVa);
      for (const std::uint64_t at : {va, va + kStride, va - kStride, va}) {
        BOOST_TEST_REQUIRE((bench.mmu.translate(at) == expected(at)), "VA 0x" << std::hex << at);
      }
    }
  };
  check();
  std::vector<UnmapEntry> gone;
  for (std::uint64_t i = 0; i < kCount; i += 3) {
    gone.push_back({kBase + i * kStride, kSize});
    reference.erase(kBase + i * kStride);
  }
  bench.mmu.unmap(gone);
  BOOST_TEST(bench.mmu.mappings() == reference.size());
  check();
}

BOOST_AUTO_TEST_CASE(debug_access_translates_without_touching_the_tlb) {
  set_time_resolution();
  MmuBench bench;
  kb::test::Driver driver("driver", [&] {
    std::vector<unsigned char> data{9, 8, 7, 6}, back(4, 0);
    bench.core.access(tlm::TLM_WRITE_COMMAND, kVa + 8192 + 4, data.data(), 4);
    const std::uint64_t misses = bench.mmu.tlb_misses(), hits = bench.mmu.tlb_hits();
    tlm::tlm_generic_payload& p =
        bench.core.txn.access(tlm::TLM_READ_COMMAND, kVa + 8192 + 4, back.data(), 4);
    BOOST_TEST(bench.core.out.transport_dbg(0, p) == 4u);
    BOOST_TEST(back == data);
    BOOST_TEST(bench.mmu.tlb_misses() == misses);
    BOOST_TEST(bench.mmu.tlb_hits() == hits);
    tlm::tlm_generic_payload& unmapped =
        bench.core.txn.access(tlm::TLM_READ_COMMAND, kVa + 16380, back.data(), 8);
    BOOST_TEST(bench.core.out.transport_dbg(0, unmapped) == 0u);  // runs off the mapping
  });
  kb::test::run_to_end(driver);
}

namespace kb::test {

// Stands for the fabric between two PEs: delivers an IPCQ write to the IPCQ of the PE it
// addresses after a fixed latency, one hop without a bandwidth limit.
class FabricStub : public sc_core::sc_module {
 public:
  FabricStub(const sc_core::sc_module_name& name, std::vector<PeIpcq*> ipcqs, Picoseconds latency)
      : sc_core::sc_module(name),
        in("in", *this, &FabricStub::b_transport, nullptr),
        ipcqs_(std::move(ipcqs)),
        latency_(latency) {}
  TargetPort<FabricStub> in;

 private:
  void b_transport(int, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
    const PhysAddr a = PhysAddr::decode(p.get_address());
    hop(nullptr, latency_, p.get_data_length(), p, delay);
    ipcqs_.at(a.unit)->receive(a.offset, p, delay);
  }
  std::vector<PeIpcq*> ipcqs_;
  Picoseconds latency_;
};

}  // namespace kb::test

namespace {

// Rank 0 (PE 0) sends 1 KiB to rank 1 (PE 1) in 256-byte entries; rank 1 starts receiving
// at `starts`. Returns the local times at which each finished, what recv said of the
// arrivals and, in flow fidelity, when the sender learnt its last entry left.
struct OneKib {
  Picoseconds sent = 0, received = 0, left = 0;
  StreamArrival arrival;
};
OneKib one_kib_through_queues_of_depth(std::int64_t depth, std::vector<unsigned char>& got,
                                       Fidelity fidelity = Fidelity::transaction,
                                       Picoseconds starts = 1'000'000) {
  set_time_resolution();
  tlm::tlm_global_quantum::instance().set(sc_core::sc_time(100, sc_core::SC_NS));
  const PeIpcqAttrs attrs{depth, 256};
  PeIpcq q0("q0", attrs, fidelity), q1("q1", attrs, fidelity);
  kb::test::FabricStub fabric("fabric", {&q0, &q1}, 50'000);
  q0.out.bind(fabric.in);
  q1.out.bind(fabric.in);
  q0.init({0, 0, {{1, PhysAddr::mmio(0, 0, 1).encode()}}});
  q1.init({1, 1, {{0, PhysAddr::mmio(0, 0, 0).encode()}}});
  std::vector<unsigned char> data(1024);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<unsigned char>(i * 7);
  got.assign(1024, 0);
  OneKib out;
  const TransferExtension like;
  kb::test::Driver sender("sender", [&] {
    LocalClock clock;
    clock.reset();
    q0.send(1, data.data(), data.size(), {}, clock, like);
    out.sent = clock.now();
    if (fidelity == Fidelity::flow) out.left = q0.window_taken(1, clock, like);
  });
  kb::test::Driver receiver("receiver", [&] {
    sc_core::wait(from_ps(starts));
    LocalClock clock;
    clock.reset();
    out.arrival = q1.recv(0, got.data(), got.size(), clock, like, 0);
    out.received = clock.now();
  });
  kb::test::run_to_end(sender);
  BOOST_TEST(receiver.finished());
  BOOST_TEST(got == data);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(ipcq_data_arrives_in_order_and_a_full_queue_holds_the_sender) {
  std::vector<unsigned char> got;
  // Depth 2: entries 3 and 4 wait for the credits of entries 1 and 2, returned when rank 1
  // takes them at 1 us and arriving 50 ns later. They reach rank 1 at 1.1 us.
  const OneKib r = one_kib_through_queues_of_depth(2, got);
  BOOST_TEST(r.sent == 1'050'000u);
  BOOST_TEST(r.received == 1'100'000u);
}

BOOST_AUTO_TEST_CASE(ipcq_with_room_for_everything_never_holds_the_sender) {
  std::vector<unsigned char> got;
  // Depth 8: all four entries go at once; all are in rank 1's queue when it looks at 1 us.
  const OneKib r = one_kib_through_queues_of_depth(8, got);
  BOOST_TEST(r.sent == 0u);
  BOOST_TEST(r.received == 1'000'000u);
}

BOOST_AUTO_TEST_CASE(a_flow_transfer_that_fits_the_queue_arrives_as_its_entries_would) {
  std::vector<unsigned char> got;
  // Four entries in one transfer, 50 ns away, no bandwidth limit: the sender is never held
  // and all of it is in at 50 ns, as the four entries would have been.
  const OneKib r = one_kib_through_queues_of_depth(8, got, Fidelity::flow, 0);
  BOOST_TEST(r.sent == 0u);
  BOOST_TEST(r.arrival.first == 50'000u);
  BOOST_TEST(r.arrival.last == 50'000u);
  BOOST_TEST(r.received == 50'000u);  // flow returns at the first byte
}

BOOST_AUTO_TEST_CASE(a_flow_transfer_beyond_the_queue_pays_a_round_trip_per_queue_s_worth) {
  std::vector<unsigned char> got;
  // Depth 2 holds half of the four entries: the second half waits for the credits of the
  // first, one round trip (50 ns there, 50 ns back) after they left. The receiver drains as
  // data comes: the window, not the receiver, sets the pace.
  const OneKib r = one_kib_through_queues_of_depth(2, got, Fidelity::flow, 0);
  BOOST_TEST(r.sent == 0u);
  BOOST_TEST(r.arrival.last == 150'000u);
  BOOST_TEST(r.arrival.first == 50'000u + 100'000u / 4);
  BOOST_TEST(r.left == 100'000u);  // the last entry left with the first entries' credits
}

BOOST_AUTO_TEST_CASE(a_flow_transfer_beyond_the_queue_waits_for_a_receiver_that_comes_late) {
  std::vector<unsigned char> got;
  // As above, but rank 1 comes to take the entries at 1 us, 950 ns after it could have
  // taken the first: their credits, and so the second half, go 950 ns later. The last entry
  // leaves at 1.05 us and arrives at 1.1 us, as entry by entry
  // (ipcq_data_arrives_in_order_and_a_full_queue_holds_the_sender).
  const OneKib r = one_kib_through_queues_of_depth(2, got, Fidelity::flow, 1'000'000);
  BOOST_TEST(r.sent == 0u);
  BOOST_TEST(r.left == 1'050'000u);
  BOOST_TEST(r.arrival.last == 1'100'000u);
  BOOST_TEST(r.received == 1'000'000u);
}

BOOST_AUTO_TEST_CASE(a_send_ahead_yields_to_a_receive_whose_data_comes_before_its_credits) {
  set_time_resolution();
  tlm::tlm_global_quantum::instance().set(sc_core::sc_time(100, sc_core::SC_NS));
  // Queues of two 256-byte entries, 50 ns apart. Rank 1 fills its queue at rank 0 at once;
  // rank 0 takes those entries at 2 us (their credits are back at rank 1 at 2.05 us) and,
  // running ahead, has already sent rank 1 an entry that arrives at 5.05 us.
  const PeIpcqAttrs attrs{2, 256};
  PeIpcq q0("q0", attrs, Fidelity::transaction), q1("q1", attrs, Fidelity::transaction);
  kb::test::FabricStub fabric("fabric", {&q0, &q1}, 50'000);
  q0.out.bind(fabric.in);
  q1.out.bind(fabric.in);
  q0.init({0, 0, {{1, PhysAddr::mmio(0, 0, 1).encode()}}});
  q1.init({1, 1, {{0, PhysAddr::mmio(0, 0, 0).encode()}}});
  std::vector<unsigned char> data(512, 7), got(512, 0);
  const TransferExtension like;
  kb::test::Driver zero("zero", [&] {
    LocalClock clock;
    clock.reset();
    clock.advance(5'000'000);
    q0.send(1, data.data(), 256, {}, clock, like);
    sc_core::wait(from_ps(2'000'000));
    clock.reset();
    q0.recv(1, got.data(), 512, clock, like, 0);
  });
  bool credits_first = false, data_first = true, fresh_credits_first = false;
  Picoseconds decided = 0;
  kb::test::Driver one("one", [&] {
    LocalClock clock;
    clock.reset();
    fresh_credits_first = q1.send_goes_first(0, 512, 0, 256, clock, like);
    q1.send(0, data.data(), 512, {}, clock, like);
    sc_core::wait(from_ps(1'000'000));
    clock.reset();
    // At 1 us neither is in: the data is due at 5.05 us, and the credits, not yet returned,
    // may come first. They do, at 2.05 us.
    credits_first = q1.send_goes_first(0, 512, 0, 256, clock, like);
    decided = clock.now();
    q1.send(0, data.data(), 512, {}, clock, like);  // rank 0 never takes these
    sc_core::wait(from_ps(6'000'000 - now_ps()));
    clock.reset();
    // At 6 us the data is in and the credits are not back: the receive goes first.
    data_first = q1.send_goes_first(0, 512, 0, 256, clock, like);
    q1.recv(0, got.data(), 256, clock, like, 0);
  });
  kb::test::run_to_end(one);
  BOOST_TEST(zero.finished());
  BOOST_TEST(fresh_credits_first);
  BOOST_TEST(credits_first);
  BOOST_TEST(decided == 2'050'000u);
  BOOST_TEST(!data_first);
}

// A plain least-recently-used list: what the TLB must answer, page by page.
class LruList {
 public:
  explicit LruList(std::size_t entries) : entries_(entries) {}
  bool lookup(std::uint64_t page) {
    const auto it = std::find(pages_.begin(), pages_.end(), page);
    const bool hit = it != pages_.end();
    if (hit)
      pages_.erase(it);
    else if (pages_.size() == entries_)
      pages_.pop_back();
    pages_.push_front(page);
    return hit;
  }
  void invalidate(std::uint64_t first, std::uint64_t last) {
    pages_.remove_if([&](std::uint64_t p) { return p >= first && p <= last; });
  }

 private:
  std::size_t entries_;
  std::list<std::uint64_t> pages_;  // most recent first
};

// The TLB against the list over random pages, far apart and close together (runs of one
// page, runs merging and splitting), through evictions and invalidations.
BOOST_AUTO_TEST_CASE(the_tlb_hits_and_misses_as_a_least_recently_used_list_does) {
  for (std::size_t entries : {1U, 2U, 7U, 64U}) {
    Tlb tlb(entries);
    LruList lru(entries);
    std::mt19937_64 rng(entries);
    std::uniform_int_distribution<std::uint64_t> page(0, 4 * entries + 3);
    for (int i = 0; i < 20000; ++i) {
      if (i % 97 == 96) {
        const std::uint64_t a = page(rng), b = a + page(rng) % 5;
        tlb.invalidate(a, b);
        lru.invalidate(a, b);
        continue;
      }
      const std::uint64_t p = i % 3 == 0 ? page(rng) * 0x1000 + (1ULL << 40) : page(rng);
      BOOST_TEST_REQUIRE(tlb.lookup(p) == lru.lookup(p),
                         "page " << p << " at access " << i << ", " << entries << " entries");
    }
  }
}

// Runs of pages looked up at once hit as their pages looked up one by one in the list do,
// and leave the TLB as they would: runs shorter and much longer than the TLB, ascending
// pages and descending ones (one lookup each), overlapping what is held, from a state drawn
// at random, each followed by a probe of single lookups and now and then an invalidation.
BOOST_AUTO_TEST_CASE(a_run_of_pages_looks_up_as_its_pages_one_by_one_do) {
  for (std::size_t entries : {1U, 3U, 16U, 64U}) {
    Tlb tlb(entries);
    LruList lru(entries);
    std::mt19937_64 rng(entries + 7);
    std::uniform_int_distribution<std::uint64_t> page(0, 6 * entries);
    for (int i = 0; i < 2000; ++i) {
      const std::uint64_t first = page(rng), count = page(rng);
      if (i % 5 == 4) {
        for (std::uint64_t p = first + count; p > first; --p) {
          BOOST_TEST_REQUIRE(tlb.lookup(p - 1) == lru.lookup(p - 1), "descending " << p - 1);
        }
      } else {
        std::uint64_t hits = 0;
        for (std::uint64_t p = first; p < first + count; ++p) hits += lru.lookup(p) ? 1 : 0;
        BOOST_TEST_REQUIRE(tlb.lookup_run(first, count) == hits,
                           first << " + " << count << " pages, " << entries << " entries");
      }
      if (i % 11 == 10) {
        const std::uint64_t a = page(rng), b = a + page(rng) % (entries + 2);
        tlb.invalidate(a, b);
        lru.invalidate(a, b);
      }
      for (int probe = 0; probe < 3; ++probe) {
        const std::uint64_t p = page(rng);
        BOOST_TEST_REQUIRE(tlb.lookup(p) == lru.lookup(p), "probe " << p);
      }
    }
  }
}

// The credit queue keeps each message as a run; it must hand out the very times that
// pushing every credit's time would: random messages (credits spaced, some early by a gap,
// a gap larger than the arrival), taken one at a time, several at once, or all.
BOOST_AUTO_TEST_CASE(credits_come_out_in_order_at_their_messages_times) {
  constexpr std::uint64_t kDepth = 16;
  CreditQueue queue;
  queue.reset(kDepth);
  std::deque<Picoseconds> times;  // the reference: every credit's time
  const auto push = [&](const CreditWord& word, Picoseconds arrival) {
    queue.push(word, arrival);
    for (std::uint64_t i = 0; i < word.count; ++i) times.push_back(word.at(arrival, i));
  };
  push(CreditWord{kDepth, 0, 0, 0}, 0);
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<std::uint64_t> small(0, 5), spacing(0, 2000);
  Picoseconds now = 0;
  for (int i = 0; i < 5000; ++i) {
    BOOST_TEST_REQUIRE(queue.size() == times.size());
    for (std::uint64_t k = 0; k < times.size(); ++k)
      BOOST_TEST_REQUIRE(queue[k] == times[k], "credit " << k << " of " << times.size());
    // Take some: one, a few, or all that are held.
    const std::uint64_t take =
        i % 7 == 0 ? times.size() : std::min<std::uint64_t>(small(rng), times.size());
    queue.pop_front(take);
    times.erase(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(take));
    // Return some, as a message of up to the room left.
    const std::uint64_t room = kDepth - times.size();
    if (room == 0) continue;
    CreditWord word;
    word.count = 1 + small(rng) % room;
    word.step = spacing(rng);
    word.early = small(rng) % (word.count + 1);
    word.gap = spacing(rng) * 10;
    now += spacing(rng);
    push(word, now);
  }
  BOOST_TEST(queue.empty() == times.empty());
}

// A core's clock keeps tlm_quantumkeeper's contract in picoseconds: the same sync points (the
// quantum's multiples), the same waits, the same local times, step by step beside it.
BOOST_AUTO_TEST_CASE(a_local_clock_syncs_where_the_quantum_keeper_does) {
  set_time_resolution();
  tlm::tlm_global_quantum::instance().set(sc_core::sc_time(100, sc_core::SC_NS));
  kb::test::Driver driver("clock_driver", [] {
    sc_core::wait(sc_core::sc_time(30, sc_core::SC_NS));  // off the quantum's grid
    LocalClock clock;
    tlm_utils::tlm_quantumkeeper keeper;
    clock.reset();
    keeper.reset();
    const Picoseconds steps[] = {60'000, 9'999, 1, 0, 150'000, 40'000, 1, 99'999, 250'001};
    for (const Picoseconds step : steps) {
      clock.advance(step);
      keeper.inc(from_ps(step));
      BOOST_TEST_REQUIRE(clock.now() == to_ps(keeper.get_current_time()));
      BOOST_TEST_REQUIRE(clock.need_sync() == keeper.need_sync(), "after " << step << " ps");
      if (clock.need_sync()) {
        const Picoseconds before = clock.now();
        clock.sync();  // the kernel reaches the clock's time; the keeper's offset is then due
        BOOST_TEST_REQUIRE(now_ps() == before);
        BOOST_TEST_REQUIRE(clock.offset() == 0);
        keeper.reset();  // its offset was waited out by the clock's sync
        BOOST_TEST_REQUIRE(!clock.need_sync());
      }
    }
    // Catching up never moves the clock back.
    const Picoseconds at = clock.now();
    clock.catch_up(at - 1);
    BOOST_TEST(clock.now() == at);
    clock.catch_up(at + 5'000);
    BOOST_TEST(clock.now() == at + 5'000);
  });
  kb::test::run_to_end(driver);
}

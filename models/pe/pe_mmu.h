#pragma once
// A PE's MMU: translates the core's virtual addresses through a page table filled by
// MmuMap and emptied by MmuUnmap, with a TLB that makes repeated use of a page cheap.
//
// - Mappings are (va, pa, size) ranges; a shard of a tensor need not start on a page.
// - Replicas: when one MmuMap holds several entries for the same (va, size), each PE maps
//   the one nearest to it: its own memory (its TCM or its HBM slice), else one in its
//   cube, else the first listed (ADR 0004).
// - Timing: every distinct page an access (or a whole 2-D burst) touches is looked up in
//   the TLB (LRU, tlb_entries) once, tlb_hit_cycles each. The first lookup, and one page
//   walk (walk_cycles - tlb_hit_cycles) if any page misses, come before the data moves;
//   the other lookups are pipelined with the transfer, which cannot end before they do
//   (ADR 0006). Misses fill the TLB.
// - An access that spans several mappings is split into one transfer per mapping, issued
//   together; it completes when the last one does.
// - A 2-D burst whose rows all lie in one mapping is translated once (each row's pages
//   pay their pages' lookups, each page once); otherwise it is split into its rows.
// - Physical accesses (control traffic, IPCQ, TCM scratch) pass through untranslated.
// - The translated access goes straight to the PE's own TCM when it targets it, and into
//   the cube's NoC otherwise.
// - An access to an unmapped address is a fault naming the PE, the address and the kernel.

#include "models/common/component.h"
#include "models/common/initiator_port.h"
#include "models/common/target_port.h"
#include "models/pe/pe_mmu_attrs.h"
#include "models/pe/tlb.h"
#include "models/protocol/kernel_program.h"
#include "models/protocol/messages.h"
#include "models/protocol/phys_addr.h"
#include "models/protocol/transaction.h"

#include <array>
#include <functional>
#include <optional>
#include <vector>

namespace kb::models {

class PeMmu : public Component {
 public:
  // The MMU of the PE at `at`, clocked with its core (`freq_ghz`); `hbm_slices` per cube
  // tell it which slice is its PE's own (pe mod slices).
  PeMmu(const sc_core::sc_module_name& name, const PeMmuAttrs& attrs, const PeLocation& at,
        double freq_ghz, std::uint32_t hbm_slices);

  TargetPort<PeMmu> in;  // from the core and the IPCQ
  InitiatorPort local;   // to this PE's TCM
  InitiatorPort fabric;  // to the cube router

  void map(const std::vector<MapEntry>& entries);
  void unmap(const std::vector<UnmapEntry>& entries);

  // The physical address of `va`, or nullopt when unmapped (no timing, no TLB change).
  std::optional<std::uint64_t> translate(std::uint64_t va) const;
  std::size_t mappings() const { return mappings_.size(); }
  std::uint64_t tlb_hits() const { return hits_; }
  std::uint64_t tlb_misses() const { return misses_; }

 private:
  struct Mapping {
    std::uint64_t va;
    std::uint64_t end;  // exclusive
    std::uint64_t pa;
  };

  // An access sent on in parts issued together: each part borrows the payload, finish()
  // restores it and sets the delay to when the last part completed.
  struct Split {
    Split(tlm::tlm_generic_payload& payload, const sc_core::sc_time& delay);
    bool ok() const { return status == tlm::TLM_OK_RESPONSE; }
    void issue(std::uint64_t at, std::uint64_t offset, std::uint64_t bytes,
               const std::function<void(tlm::tlm_generic_payload&, sc_core::sc_time&)>& send);
    void finish(sc_core::sc_time& delay);

    tlm::tlm_generic_payload& p;
    TransferExtension& t;  // p's
    const std::uint64_t address;
    unsigned char* const data;
    const std::uint64_t length;
    const sc_core::sc_time start;
    const Picoseconds now;
    Picoseconds done = 0;
    // The parts go out together: the path latency the slowest part's, the occupancy all
    // of theirs (they share the PE's port).
    const Picoseconds latency_before;
    Picoseconds latency = 0;
    Picoseconds occupancy = 0;
    tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
  };

  void b_transport(int, tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  // A contiguous virtual access, split by mapping.
  void translate_contiguous(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  // A 2-D burst: one transfer when one mapping holds it all, else one per row.
  void translate_burst(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  void forward(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  // The port a physical address leaves by: this PE's TCM, or the NoC.
  InitiatorPort& towards(std::uint64_t pa);
  // A debug access at a virtual address (physical when marked so), translated without
  // timing or TLB change; 0 bytes when any of it is unmapped or it spans two memories.
  unsigned transport_dbg(int, tlm::tlm_generic_payload& p);
  // The TLB lookups of an access: pages looked up and whether any missed.
  struct Lookups {
    std::uint64_t pages = 0;
    std::uint64_t misses = 0;
    bool missed = false;
    std::uint64_t last_page = ~0ULL;  // the page looked up last (bursts revisit it)
  };
  // Looks up every page of [va, va + nbytes) not looked up last.
  void lookup(std::uint64_t va, std::uint64_t nbytes, Lookups& lookups);
  // Sends `p` (translated) on by `send(p, delay)`, charging the lookups as the header says.
  // A template: every access passes through here, and a std::function of a capturing
  // lambda would allocate.
  template <class Send>
  void translated(const Lookups& lookups, tlm::tlm_generic_payload& p, sc_core::sc_time& delay,
                  Send&& send);
  int distance(std::uint64_t pa) const;  // 0 own memory, 1 same cube, 2 elsewhere
  [[noreturn]] void fault(const tlm::tlm_generic_payload& p, std::uint64_t va) const;

  const PeLocation at_;
  const std::uint32_t hbm_slices_;
  const std::uint64_t page_size_;
  const std::uint64_t hit_cycles_;
  const std::uint64_t walk_cycles_;
  // The mapping holding `va`, or nullptr.
  const Mapping* holding(std::uint64_t va) const;
  // The mappings in VA order, and their starts alone: every PE maps the shards of every
  // tensor, tens of thousands in a model, and a search of packed starts touches a few
  // cache lines where a tree's nodes missed at every level (and took 3x the memory).
  std::vector<std::uint64_t> starts_;
  std::vector<Mapping> mappings_;
  // Every kBlock-th start, searched first: the search then reads a few cache lines where
  // the deeper levels of one over all the starts miss (kept in step as mappings append,
  // rebuilt at the next search once one in the middle came or went).
  static constexpr std::size_t kBlock = 64;
  mutable std::vector<std::uint64_t> block_starts_;
  mutable bool blocks_stale_ = false;
  // The index of the last mapping starting at or before `va`, or kNoMapping.
  std::size_t search(std::uint64_t va) const;
  static constexpr std::size_t kNoMapping = ~std::size_t{0};
  // The mappings holding() found last, the latest first. A kernel's accesses go round the
  // few tensors it works on and walk through their shards in order: those mappings and
  // their neighbours are checked before a search of tens of thousands of starts, whose
  // deeper levels miss the cache (decode on the default machine: 8 % of the run).
  static constexpr std::size_t kRecent = 4;
  mutable std::array<std::size_t, kRecent> recent_{kNoMapping, kNoMapping, kNoMapping, kNoMapping};
  void forget_recent() { recent_.fill(kNoMapping); }  // once mappings have moved
  Tlb tlb_;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
  TracedValue& tlb_misses_;  // VCD: misses so far
  TracedValue& walking_;     // VCD: a page walk is in progress
};

}  // namespace kb::models

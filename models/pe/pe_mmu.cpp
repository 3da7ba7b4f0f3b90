#include "models/pe/pe_mmu.h"

#include "models/protocol/transaction.h"

#include <algorithm>
#include <numeric>
#include <set>
#include <tuple>

namespace kb::models {

PeMmu::PeMmu(const sc_core::sc_module_name& name, const PeMmuAttrs& attrs, const PeLocation& at,
             double freq_ghz, std::uint32_t hbm_slices)
    : Component(name, freq_ghz),
      in("in", *this, &PeMmu::b_transport, &PeMmu::transport_dbg),
      local("local"),
      fabric("fabric"),
      at_(at),
      hbm_slices_(hbm_slices),
      page_size_(static_cast<std::uint64_t>(attrs.page_size)),
      hit_cycles_(static_cast<std::uint64_t>(attrs.tlb_hit_cycles)),
      walk_cycles_(static_cast<std::uint64_t>(attrs.walk_cycles)),
      tlb_(static_cast<std::uint64_t>(attrs.tlb_entries)),
      tlb_misses_(add_value("tlb_misses", 32)),
      walking_(add_value("walk", 1)) {}

int PeMmu::distance(std::uint64_t pa) const {
  const PhysAddr a = PhysAddr::decode(pa);
  if (a.is_host() || a.sip != at_.sip || a.cube != at_.cube) return 2;
  const bool own = (a.region == Region::tcm && a.unit == at_.pe) ||
                   (a.region == Region::hbm && a.unit == at_.pe % hbm_slices_);
  return own ? 0 : 1;
}

void PeMmu::map(const std::vector<MapEntry>& all) {
  // Keep, of the replicas of each (va, size), the nearest; ties go to the first listed. In
  // VA order: every PE maps every tensor's shards (tens of thousands for a model), and
  // tensors are placed at rising addresses, so most entries append.
  std::vector<std::size_t> order(all.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  const auto by_range = [&all](std::size_t a, std::size_t b) {
    return std::tie(all[a].va, all[a].size) < std::tie(all[b].va, all[b].size);
  };
  // A tensor's shards usually come in VA order already.
  if (!std::is_sorted(order.begin(), order.end(), by_range)) {
    std::stable_sort(order.begin(), order.end(), by_range);
  }
  for (std::size_t i = 0; i < order.size();) {
    const MapEntry* nearest = &all[order[i]];
    int best = distance(nearest->pa);
    for (++i; i < order.size() && !by_range(order[i - 1], order[i]); ++i) {  // its replicas
      const int d = distance(all[order[i]].pa);
      if (d < best) {
        best = d;
        nearest = &all[order[i]];
      }
    }
    const MapEntry& e = *nearest;
    if (e.size == 0) fail("MmuMap of 0 bytes at VA 0x{:x}", e.va);
    if (starts_.empty() || mappings_.back().end <= e.va) {  // after every mapping
      if (starts_.size() % kBlock == 0 && !blocks_stale_) block_starts_.push_back(e.va);
      starts_.push_back(e.va);
      mappings_.push_back(Mapping{e.va, e.va + e.size, e.pa});
      continue;
    }
    // A range reused below the last mapping: in its place, if it is free.
    const auto next = std::lower_bound(starts_.begin(), starts_.end(), e.va);
    const std::size_t at = static_cast<std::size_t>(next - starts_.begin());
    const bool overlaps_next = at < starts_.size() && starts_[at] < e.va + e.size;
    const bool overlaps_prev = at > 0 && mappings_[at - 1].end > e.va;
    if (overlaps_next || overlaps_prev) {
      fail("MmuMap of VA 0x{:x} ({} bytes) overlaps an existing mapping", e.va, e.size);
    }
    starts_.insert(next, e.va);
    blocks_stale_ = true;
    mappings_.insert(mappings_.begin() + static_cast<std::ptrdiff_t>(at),
                     Mapping{e.va, e.va + e.size, e.pa});
    forget_recent();  // the mappings after it moved
  }
}

void PeMmu::unmap(const std::vector<UnmapEntry>& entries) {
  std::set<std::pair<std::uint64_t, std::uint64_t>> done;
  for (const UnmapEntry& e : entries) {
    // Replicas list the same range more than once (see map()); it goes with the first.
    if (!done.insert({e.va, e.size}).second) continue;
    const auto it = std::lower_bound(starts_.begin(), starts_.end(), e.va);
    const std::size_t at = static_cast<std::size_t>(it - starts_.begin());
    if (it == starts_.end() || *it != e.va || mappings_[at].end != e.va + e.size) {
      fail("MmuUnmap of VA 0x{:x} ({} bytes) does not match a mapping", e.va, e.size);
    }
    starts_.erase(it);
    blocks_stale_ = true;
    mappings_.erase(mappings_.begin() + static_cast<std::ptrdiff_t>(at));
    forget_recent();
    const std::uint64_t first = e.va / page_size_;
    const std::uint64_t last = (e.va + e.size - 1) / page_size_;
    tlb_.invalidate(first, last);
  }
}

const PeMmu::Mapping* PeMmu::holding(std::uint64_t va) const {
  const auto holds = [this, va](std::size_t at) {
    return at < mappings_.size() && va >= mappings_[at].va && va < mappings_[at].end;
  };
  for (std::size_t i = 0; i < kRecent; ++i) {
    if (holds(recent_[i])) {
      std::rotate(recent_.begin(), recent_.begin() + static_cast<std::ptrdiff_t>(i),
                  recent_.begin() + static_cast<std::ptrdiff_t>(i) + 1);
      return &mappings_[recent_[0]];
    }
  }
  const auto remember = [this](std::size_t at) {
    std::copy_backward(recent_.begin(), recent_.end() - 1, recent_.end());
    recent_[0] = at;
    return &mappings_[at];
  };
  for (const std::size_t at : recent_) {
    if (at == kNoMapping) continue;
    if (holds(at + 1)) return remember(at + 1);
    if (at > 0 && holds(at - 1)) return remember(at - 1);
  }
  const std::size_t at = search(va);
  if (at == kNoMapping || va >= mappings_[at].end) return nullptr;
  return remember(at);
}

std::size_t PeMmu::search(std::uint64_t va) const {
  if (blocks_stale_) {
    block_starts_.clear();
    for (std::size_t i = 0; i < starts_.size(); i += kBlock) block_starts_.push_back(starts_[i]);
    blocks_stale_ = false;
  }
  const auto block = std::upper_bound(block_starts_.begin(), block_starts_.end(), va);
  if (block == block_starts_.begin()) return kNoMapping;
  const auto first = static_cast<std::size_t>(block - block_starts_.begin() - 1) * kBlock;
  const auto from = starts_.begin() + static_cast<std::ptrdiff_t>(first);
  const auto end =
      starts_.begin() + static_cast<std::ptrdiff_t>(std::min(starts_.size(), first + kBlock));
  return static_cast<std::size_t>(std::upper_bound(from, end, va) - starts_.begin()) - 1;
}

std::optional<std::uint64_t> PeMmu::translate(std::uint64_t va) const {
  const Mapping* m = holding(va);
  if (m == nullptr) return std::nullopt;
  return m->pa + (va - m->va);
}

void PeMmu::lookup(std::uint64_t va, std::uint64_t nbytes, Lookups& lookups) {
  const std::uint64_t last = (va + nbytes - 1) / page_size_;
  std::uint64_t first = va / page_size_;
  if (first == lookups.last_page) ++first;  // a burst's row that starts in the last page
  if (first > last) return;
  const std::uint64_t pages = last - first + 1;
  const std::uint64_t hits = tlb_.lookup_run(first, pages);
  lookups.last_page = last;
  lookups.pages += pages;
  lookups.misses += pages - hits;
  lookups.missed = lookups.missed || hits < pages;
  hits_ += hits;
  misses_ += pages - hits;
}

template <class Send>
void PeMmu::translated(const Lookups& lookups, tlm::tlm_generic_payload& p, sc_core::sc_time& delay,
                       Send&& send) {
  const std::uint64_t walk =
      lookups.missed && walk_cycles_ > hit_cycles_ ? walk_cycles_ - hit_cycles_ : 0;
  const sc_core::sc_time start = delay;
  if (lookups.missed) {
    const Picoseconds at = now_ps() + to_ps(start);
    tlb_misses_.add(at, static_cast<std::int64_t>(lookups.misses));
    walking_.add(at, +1);
    walking_.add(at + cycles(hit_cycles_ + walk), -1);
  }
  delay += from_ps(cycles(hit_cycles_ + walk));  // exposed: the first lookup and a walk
  send(p, delay);
  // The other lookups ran alongside the data; the access ends no earlier than they do.
  const sc_core::sc_time translated = start + from_ps(cycles(lookups.pages * hit_cycles_ + walk));
  if (delay < translated) delay = translated;
}

void PeMmu::fault(const tlm::tlm_generic_payload& p, std::uint64_t va) const {
  const auto* t = p.get_extension<TransferExtension>();
  fail("MMU fault: {} access to unmapped VA 0x{:x} ({} bytes at 0x{:x}){}",
       p.is_read() ? "read" : "write", va, p.get_data_length(), p.get_address(),
       t != nullptr && t->initiator != nullptr ? " by " + *t->initiator : std::string());
}

InitiatorPort& PeMmu::towards(std::uint64_t pa) {
  const PhysAddr a = PhysAddr::decode(pa);
  const bool own_tcm = !a.is_host() && a.region == Region::tcm && a.sip == at_.sip &&
                       a.cube == at_.cube && a.unit == at_.pe;
  return own_tcm ? local : fabric;
}

void PeMmu::forward(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  towards(p.get_address()).transport(0, p, delay);
}

unsigned PeMmu::transport_dbg(int, tlm::tlm_generic_payload& p) {
  const std::uint64_t address = p.get_address();
  if (transfer_of(p).physical) return towards(address).transport_dbg(0, p);
  const unsigned length = p.get_data_length();
  const auto first = translate(address);
  const auto last = translate(address + length - 1);
  if (length == 0 || !first || !last || *last - *first != length - 1) return 0;
  p.set_address(*first);
  const unsigned n = towards(*first).transport_dbg(0, p);
  p.set_address(address);
  return n;
}

void PeMmu::b_transport(int, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  const TransferExtension& t = transfer_of(p);
  if (t.physical) {
    forward(p, delay);
  } else if (t.burst_rows > 1) {
    translate_burst(p, delay);
  } else {
    translate_contiguous(p, delay);
  }
}

void PeMmu::translate_burst(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  TransferExtension& t = transfer_of(p);
  const std::uint64_t va = p.get_address();
  const std::uint64_t length = p.get_data_length();
  const std::uint32_t rows = t.burst_rows;
  const std::uint64_t row_bytes = length / rows;
  const std::uint64_t stride = t.burst_stride;
  const std::uint64_t span = (rows - 1) * stride + row_bytes;
  const Mapping* m = holding(va);
  if (m != nullptr && va + span <= m->end) {
    Lookups lookups;
    if (stride == row_bytes) {
      lookup(va, span, lookups);  // rows back to back: the same pages, in the same order
    } else {
      for (std::uint32_t r = 0; r < rows; ++r) lookup(va + r * stride, row_bytes, lookups);
    }
    p.set_address(m->pa + (va - m->va));
    translated(lookups, p, delay,
               [this](tlm::tlm_generic_payload& q, sc_core::sc_time& d) { forward(q, d); });
    p.set_address(va);
    return;
  }
  Split split(p, delay);
  t.burst_rows = 1;
  for (std::uint32_t r = 0; r < rows && split.ok(); ++r) {
    split.issue(va + r * stride, r * row_bytes, row_bytes,
                [this](tlm::tlm_generic_payload& part, sc_core::sc_time& d) {
                  translate_contiguous(part, d);
                });
  }
  t.burst_rows = rows;
  split.finish(delay);
}

void PeMmu::translate_contiguous(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  const std::uint64_t va = p.get_address();
  const std::uint64_t length = p.get_data_length();
  Lookups lookups;
  lookup(va, length, lookups);
  translated(
      lookups, p, delay, [this, va, length](tlm::tlm_generic_payload& q, sc_core::sc_time& d) {
        // One transfer per mapping the access touches, all issued at the same time.
        Split split(q, d);
        for (std::uint64_t offset = 0; offset < length && split.ok();) {
          const Mapping* m = holding(va + offset);
          if (m == nullptr) fault(q, va + offset);
          const std::uint64_t chunk = std::min(length - offset, m->end - (va + offset));
          split.issue(
              m->pa + (va + offset - m->va), offset, chunk,
              [this](tlm::tlm_generic_payload& part, sc_core::sc_time& dd) { forward(part, dd); });
          offset += chunk;
        }
        split.finish(d);
      });
}

PeMmu::Split::Split(tlm::tlm_generic_payload& payload, const sc_core::sc_time& delay)
    : p(payload),
      t(transfer_of(payload)),
      address(payload.get_address()),
      data(payload.get_data_ptr()),
      length(payload.get_data_length()),
      start(delay),
      now(now_ps()),
      latency_before(t.path_latency_ps) {}

void PeMmu::Split::issue(
    std::uint64_t at, std::uint64_t offset, std::uint64_t bytes,
    const std::function<void(tlm::tlm_generic_payload&, sc_core::sc_time&)>& send) {
  p.set_address(at);
  p.set_data_ptr(data + offset);
  p.set_data_length(static_cast<unsigned>(bytes));
  p.set_streaming_width(static_cast<unsigned>(bytes));
  p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  t.tail_ps = 0;
  t.path_latency_ps = latency_before;
  t.occupancy_ps = 0;
  sc_core::sc_time d = start;
  send(p, d);
  done = std::max(done, now + to_ps(d) + t.tail_ps);
  latency = std::max(latency, t.path_latency_ps - latency_before);
  occupancy += t.occupancy_ps;
  status = p.get_response_status();
}

void PeMmu::Split::finish(sc_core::sc_time& delay) {
  p.set_address(address);
  p.set_data_ptr(data);
  p.set_data_length(static_cast<unsigned>(length));
  p.set_streaming_width(static_cast<unsigned>(length));
  p.set_response_status(status);
  t.tail_ps = 0;
  t.path_latency_ps = latency_before + latency;
  t.occupancy_ps = occupancy;
  delay = from_ps(done - now);
}

}  // namespace kb::models

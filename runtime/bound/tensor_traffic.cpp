#include "runtime/bound/tensor_traffic.h"

#include <algorithm>
#include <map>

namespace kb::runtime {

MemoryCoord memory_of(const DeviceShard& s) {
  return {s.sip, s.cube, s.pa.unit, s.pa.region == models::Region::sram};
}

namespace {

// Each PE's part of `t` as a kernel sees it (runtime/kernel/tensor_view.cpp): PEs holding
// the same storage (a cube's SRAM copy) share its rows, in PE order; others own their shard.
std::vector<DeviceShard> owned_parts(const Tensor& t) {
  std::map<std::uint64_t, std::vector<const DeviceShard*>> by_storage;
  for (const DeviceShard& s : t.shards()) by_storage[s.pa.encode()].push_back(&s);
  const std::uint64_t item = itemsize(t.dtype());
  std::vector<DeviceShard> parts;
  for (const DeviceShard& s : t.shards()) {
    const auto& sharers = by_storage[s.pa.encode()];
    const auto n = static_cast<std::uint64_t>(sharers.size());
    const auto index = static_cast<std::uint64_t>(std::count_if(
        sharers.begin(), sharers.end(), [&](const DeviceShard* o) { return o->pe < s.pe; }));
    DeviceShard part = s;
    part.row_begin = s.row_begin + s.rows * index / n;
    part.rows = s.rows * (index + 1) / n - s.rows * index / n;
    part.nbytes = part.rows * part.cols * item;
    if (part.rows > 0) parts.push_back(part);
  }
  return parts;
}

}  // namespace

void own_shards(Traffic& traffic, const Tensor& t, Direction direction) {
  for (const DeviceShard& s : owned_parts(t)) {
    traffic.access({s.sip, s.cube, s.pe}, memory_of(s), static_cast<double>(s.nbytes), direction);
  }
}

namespace {

// 0 the same PE, 1 the same cube, 2 the same SIP, 3 elsewhere.
int distance(const DeviceShard& a, const DeviceShard& b) {
  if (a.sip != b.sip) return 3;
  if (a.cube != b.cube) return 2;
  return a.pe == b.pe ? 0 : 1;
}

std::uint64_t overlap(std::uint64_t a0, std::uint64_t an, std::uint64_t b0, std::uint64_t bn) {
  const std::uint64_t lo = std::max(a0, b0), hi = std::min(a0 + an, b0 + bn);
  return hi > lo ? hi - lo : 0;
}

}  // namespace

void read_blocks(Traffic& traffic, const Tensor& src, const Tensor& dst) {
  read_overlap(traffic, src, dst, true, true);
}

void read_overlap(Traffic& traffic, const Tensor& src, const Tensor& dst, bool match_rows,
                  bool match_cols) {
  const std::uint64_t item = itemsize(src.dtype());
  // The replicas of each distinct block of src.
  std::map<std::uint64_t, std::vector<const DeviceShard*>> blocks;
  for (const DeviceShard& s : src.shards()) blocks[s.block].push_back(&s);
  for (const DeviceShard& d : owned_parts(dst)) {
    for (const auto& [block, replicas] : blocks) {
      const DeviceShard& first = *replicas.front();
      const std::uint64_t rows =
          match_rows ? overlap(d.row_begin, d.rows, first.row_begin, first.rows) : first.rows;
      const std::uint64_t cols =
          match_cols ? overlap(d.col_begin, d.cols, first.col_begin, first.cols) : first.cols;
      const std::uint64_t elements = rows * cols;
      if (elements == 0) continue;
      const DeviceShard* nearest = *std::min_element(
          replicas.begin(), replicas.end(), [&](const DeviceShard* a, const DeviceShard* b) {
            return distance(d, *a) < distance(d, *b);
          });
      traffic.access({d.sip, d.cube, d.pe}, memory_of(*nearest),
                     static_cast<double>(elements * item), Direction::read);
    }
  }
}

void read_rows(Traffic& traffic, const Tensor& table, const Tensor& readers,
               const std::vector<std::int64_t>& rows) {
  const double row_bytes = static_cast<double>(table.placement().cols * itemsize(table.dtype()));
  for (const DeviceShard& d : owned_parts(readers)) {
    for (std::uint64_t r = d.row_begin; r < d.row_begin + d.rows; ++r) {
      if (rows.at(r) < 0) continue;
      const auto want = static_cast<std::uint64_t>(rows.at(r));
      const DeviceShard* nearest = nullptr;
      for (const DeviceShard& s : table.shards()) {
        if (want < s.row_begin || want >= s.row_begin + s.rows) continue;
        if (nearest == nullptr || distance(d, s) < distance(d, *nearest)) nearest = &s;
      }
      if (nearest != nullptr) {
        traffic.access({d.sip, d.cube, d.pe}, memory_of(*nearest), row_bytes, Direction::read);
      }
    }
  }
}

void gather_rows(Traffic& traffic, const Tensor& table, const Tensor& out,
                 const std::vector<std::int64_t>& rows) {
  read_rows(traffic, table, out, rows);
  own_shards(traffic, out, Direction::write);
}

void copy_blocks(Traffic& traffic, const Tensor& src, const Tensor& dst) {
  read_blocks(traffic, src, dst);
  own_shards(traffic, dst, Direction::write);
}

void compute_share(Traffic& traffic, const KernelWork& work, const Tensor& out) {
  const double elements = static_cast<double>(out.placement().rows * out.placement().cols);
  for (const DeviceShard& s : owned_parts(out)) {
    const double share = static_cast<double>(s.rows * s.cols) / elements;
    const PeCoord pe{s.sip, s.cube, s.pe};
    for (const auto& [dtype, flops] : work.flops) traffic.macs(pe, flops / 2 * share, dtype);
    if (work.vector_ops > 0) traffic.vector(pe, work.vector_ops * share, 1);
    if (work.dequant > 0) traffic.dequant(pe, work.dequant * share);
  }
}

}  // namespace kb::runtime

#pragma once
// Building blocks the algorithms share: groups of ranks, chunking, ring and binomial-tree
// phases, and the pieces of their alpha-beta bounds.

#include "runtime/ccl/algorithm.h"

#include <functional>
#include <set>

namespace kb::runtime::ccl {

// A subset of the ranks, in order; `me` is the calling rank's index in it.
struct Group {
  std::vector<std::uint32_t> ranks;
  std::size_t me = 0;
  std::size_t size() const { return ranks.size(); }
  // The rank at `index` modulo the group size (negative indices wrap).
  std::uint32_t at(std::int64_t index) const;
};

Group whole_world(const RankComm& c);

// Chunk `c` of `n` elements from `base` cut into `parts` nearly equal chunks.
Span chunk(std::int64_t base, std::int64_t n, std::int64_t parts, std::int64_t c);
std::int64_t wrap(std::int64_t i, std::int64_t n);

// Sets `spans` to the spans of a ring phase's part `j` (of the group's size): a chunk, or
// the chunks of a hierarchical phase scattered over the buffer, sent back to back. (Into
// the caller's vector: a ring takes two parts a step, and steps are many.)
using PartSpans = std::function<void(std::int64_t j, std::vector<Span>& spans)>;
// Parts that are the `parts` chunks of [base, base + n), one span each.
PartSpans chunk_parts(std::int64_t base, std::int64_t n, std::int64_t parts);

// Ring reduce-scatter over `g` of [base, base + n): afterwards chunk (me + 1 + shift) is
// complete here.
void ring_reduce_scatter(RankComm& c, const Group& g, std::int64_t base, std::int64_t n,
                         std::int64_t shift);
void ring_reduce_scatter(RankComm& c, const Group& g, const PartSpans& part, std::int64_t shift);
// Ring all-gather over `g`: chunk (me + 1 + shift) is complete here at the start; with
// `report`, each chunk received is final.
void ring_all_gather(RankComm& c, const Group& g, std::int64_t base, std::int64_t n,
                     std::int64_t shift, bool report);
void ring_all_gather(RankComm& c, const Group& g, const PartSpans& part, std::int64_t shift,
                     bool report);
void ring_all_reduce(RankComm& c, const Group& g, std::int64_t n, bool report);

// Recursive halving over `g` (2^k ranks), exchanging with the rank whose index differs in
// one bit, highest first: afterwards part `me` is complete here, after log2 G steps rather
// than G - 1. Recursive doubling, its mirror: part `me` complete at the start, every part
// at the end; with `report`, each part received is final.
void halving_reduce_scatter(RankComm& c, const Group& g, const PartSpans& part);
void doubling_all_gather(RankComm& c, const Group& g, const PartSpans& part, bool report);

// Binomial trees over `g` rooted at index `root`.
void binomial_broadcast(RankComm& c, const Group& g, std::int64_t root, std::int64_t n);
void binomial_reduce(RankComm& c, const Group& g, std::int64_t root, std::int64_t n);

// `ranks` without `rank`, sorted.
std::vector<std::uint32_t> unique_others(std::uint32_t rank, std::set<std::uint32_t> ranks);
// The rank after and the rank before `rank` on a ring of `world` (itself left out).
std::vector<std::uint32_t> ring_neighbours(std::uint32_t rank, std::size_t world);
// Every rank of a world of `world` but `rank`, in order (algorithms that talk to all).
std::vector<std::uint32_t> every_other(std::uint32_t rank, std::size_t world);

// Bound pieces (ns). A binomial-tree all-reduce: a reduce up and a broadcast down, log2 W
// hops each way at the worst alpha, the data crossing the narrowest path 1 + 2 log2 W
// times on the critical path.
double tree_all_reduce_ns(double bytes, const CollectiveFabric& f);
// One ring reduce-scatter or all-gather phase over `bytes` that sends chunks of `chunk`
// bytes: at least a chunk's chain around the ring (W - 1 consecutive edges' latency, and
// the chunk through the narrowest path once), and at least the phase's bytes through the
// rank's port or the narrowest path (CollectiveFabric::phase_ns). Not their sum: pieces
// pipeline, so the chain's latency overlaps the other chunks' transfers.
double ring_phase_ns(double bytes, double chunk, const CollectiveFabric& f);
// The whole buffer crosses the narrowest path, and a forwarding rank's port carries it out
// twice (sent on and stored).
double forwarded_broadcast_ns(double latency_ns, double bytes, const CollectiveFabric& f);

}  // namespace kb::runtime::ccl

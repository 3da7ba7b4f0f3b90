#include "runtime/ccl/patterns.h"

namespace kb::runtime::ccl {

std::uint32_t Group::at(std::int64_t index) const {
  return ranks[static_cast<std::size_t>(wrap(index, static_cast<std::int64_t>(ranks.size())))];
}

std::vector<std::uint32_t> ring_neighbours(std::uint32_t rank, std::size_t world) {
  const auto w = static_cast<std::uint32_t>(world);
  return unique_others(rank, {(rank + 1) % w, (rank + w - 1) % w});
}

Group whole_world(const RankComm& c) {
  Group g;
  for (std::uint32_t r = 0; r < c.world; ++r) g.ranks.push_back(r);
  g.me = c.rank;
  return g;
}

Span chunk(std::int64_t base, std::int64_t n, std::int64_t parts, std::int64_t c) {
  const std::int64_t size = (n + parts - 1) / parts;
  const std::int64_t b = std::min(n, c * size);
  return {base + b, std::min(n, b + size) - b};
}

std::int64_t wrap(std::int64_t i, std::int64_t n) { return ((i % n) + n) % n; }

PartSpans chunk_parts(std::int64_t base, std::int64_t n, std::int64_t parts) {
  return
      [=](std::int64_t j, std::vector<Span>& spans) { spans.assign(1, chunk(base, n, parts, j)); };
}

void ring_reduce_scatter(RankComm& c, const Group& g, std::int64_t base, std::int64_t n,
                         std::int64_t shift) {
  ring_reduce_scatter(c, g, chunk_parts(base, n, static_cast<std::int64_t>(g.size())), shift);
}

void ring_reduce_scatter(RankComm& c, const Group& g, const PartSpans& part, std::int64_t shift) {
  const auto G = static_cast<std::int64_t>(g.size());
  const auto i = static_cast<std::int64_t>(g.me);
  std::vector<Span> out, in;
  for (std::int64_t s = 0; s + 1 < G; ++s) {
    part(wrap(i - s + shift, G), out);
    part(wrap(i - s - 1 + shift, G), in);
    c.exchange(g.at(i + 1), out, g.at(i - 1), in, Combine::reduce);
  }
}

void ring_all_gather(RankComm& c, const Group& g, std::int64_t base, std::int64_t n,
                     std::int64_t shift, bool report) {
  ring_all_gather(c, g, chunk_parts(base, n, static_cast<std::int64_t>(g.size())), shift, report);
}

void ring_all_gather(RankComm& c, const Group& g, const PartSpans& part, std::int64_t shift,
                     bool report) {
  const auto G = static_cast<std::int64_t>(g.size());
  const auto i = static_cast<std::int64_t>(g.me);
  std::vector<Span> out, in;
  for (std::int64_t s = 0; s + 1 < G; ++s) {
    part(wrap(i - s + 1 + shift, G), out);
    part(wrap(i - s + shift, G), in);
    c.exchange(g.at(i + 1), out, g.at(i - 1), in, Combine::copy);
    if (!report) continue;
    for (const Span& span : in)
      if (span.len > 0) c.on_final(span);
  }
}

void ring_all_reduce(RankComm& c, const Group& g, std::int64_t n, bool report) {
  ring_reduce_scatter(c, g, 0, n, 0);
  const auto G = static_cast<std::int64_t>(g.size());
  const Span mine = chunk(0, n, G, wrap(static_cast<std::int64_t>(g.me) + 1, G));
  if (report) {
    c.scale_if_avg(mine);
    if (mine.len > 0) c.on_final(mine);
  }
  ring_all_gather(c, g, 0, n, 0, report);
}

namespace {

// Parts [lo, hi)'s spans, back to back.
std::vector<Span> parts_in(const PartSpans& part, std::int64_t lo, std::int64_t hi) {
  std::vector<Span> spans, more;
  for (std::int64_t j = lo; j < hi; ++j) {
    part(j, more);
    spans.insert(spans.end(), more.begin(), more.end());
  }
  return spans;
}

}  // namespace

void halving_reduce_scatter(RankComm& c, const Group& g, const PartSpans& part) {
  const auto G = static_cast<std::int64_t>(g.size());
  const auto i = static_cast<std::int64_t>(g.me);
  std::int64_t lo = 0, hi = G;  // the parts still being reduced here
  for (std::int64_t d = G / 2; d >= 1; d /= 2) {
    const std::int64_t mid = lo + d;
    const bool low = (i & d) == 0;
    const std::vector<Span> give = low ? parts_in(part, mid, hi) : parts_in(part, lo, mid);
    if (low) {
      hi = mid;
    } else {
      lo = mid;
    }
    c.exchange(g.at(i ^ d), give, g.at(i ^ d), parts_in(part, lo, hi), Combine::reduce);
  }
}

void doubling_all_gather(RankComm& c, const Group& g, const PartSpans& part, bool report) {
  const auto G = static_cast<std::int64_t>(g.size());
  const auto i = static_cast<std::int64_t>(g.me);
  for (std::int64_t d = 1; d < G; d *= 2) {
    const std::int64_t held = i / d * d, sibling = (i ^ d) / d * d;
    const std::vector<Span> in = parts_in(part, sibling, sibling + d);
    c.exchange(g.at(i ^ d), parts_in(part, held, held + d), g.at(i ^ d), in, Combine::copy);
    if (!report) continue;
    for (const Span& span : in)
      if (span.len > 0) c.on_final(span);
  }
}

void binomial_broadcast(RankComm& c, const Group& g, std::int64_t root, std::int64_t n) {
  const auto G = static_cast<std::int64_t>(g.size());
  const std::int64_t v = wrap(static_cast<std::int64_t>(g.me) - root, G);
  for (std::int64_t mask = 1; mask < G; mask <<= 1) {
    if (v < mask && v + mask < G) {
      c.send(g.at(v + mask + root), {0, n});
    } else if (v >= mask && v < 2 * mask) {
      c.recv(g.at(v - mask + root), {0, n}, Combine::copy);
    }
  }
}

void binomial_reduce(RankComm& c, const Group& g, std::int64_t root, std::int64_t n) {
  const auto G = static_cast<std::int64_t>(g.size());
  const std::int64_t v = wrap(static_cast<std::int64_t>(g.me) - root, G);
  for (std::int64_t mask = 1; mask < G; mask <<= 1) {
    if (v & mask) {
      c.send(g.at(v - mask + root), {0, n});
      return;
    }
    if (v + mask < G) c.recv(g.at(v + mask + root), {0, n}, Combine::reduce);
  }
}

std::vector<std::uint32_t> unique_others(std::uint32_t rank, std::set<std::uint32_t> ranks) {
  ranks.erase(rank);
  return {ranks.begin(), ranks.end()};
}

std::vector<std::uint32_t> every_other(std::uint32_t rank, std::size_t world) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t r = 0; r < world; ++r) {
    if (r != rank) out.push_back(r);
  }
  return out;
}

double tree_all_reduce_ns(double bytes, const CollectiveFabric& f) {
  const double logw = f.log2_world();
  return 2 * logw * f.worst.alpha_ns + (1 + 2 * logw) * bytes / f.worst.beta_gbps;
}

double ring_phase_ns(double bytes, double chunk, const CollectiveFabric& f) {
  return std::max(f.ring_alpha_ns + chunk / f.worst.beta_gbps, f.phase_ns(bytes));
}

double forwarded_broadcast_ns(double latency_ns, double bytes, const CollectiveFabric& f) {
  return latency_ns + std::max(bytes / f.worst.beta_gbps, 2 * bytes / f.port_gbps);
}

}  // namespace kb::runtime::ccl

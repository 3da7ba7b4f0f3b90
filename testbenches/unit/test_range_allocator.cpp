#define BOOST_TEST_MODULE range_allocator
#include "runtime/memory/range_allocator.h"
#include "runtime/memory/virtual_allocator.h"

#include "platform/topology/loader.h"

#include <boost/test/unit_test.hpp>

#include <map>
#include <random>

using kb::runtime::AllocationError;
using kb::runtime::RangeAllocator;
using kb::runtime::VirtualAllocator;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const AllocationError& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(first_fit_rounds_to_the_alignment) {
  RangeAllocator a("test", 0x1000, 0x10000, 0x100);
  BOOST_TEST(a.allocate(1) == 0x1000u);
  BOOST_TEST(a.allocate(0x100) == 0x1100u);
  BOOST_TEST(a.allocate(0x101) == 0x1200u);
  BOOST_TEST(a.free_bytes() == 0x10000u - 0x400u);
  BOOST_TEST(a.live_allocations() == 3u);
}

BOOST_AUTO_TEST_CASE(freeing_coalesces_neighbours) {
  RangeAllocator a("test", 0, 0x1000, 0x100);
  const auto x = a.allocate(0x100);
  const auto y = a.allocate(0x100);
  const auto z = a.allocate(0x100);
  a.free(x, 0x100);
  a.free(z, 0x100);  // merges with the tail
  BOOST_TEST(a.free_blocks().size() == 2u);
  a.free(y, 0x100);  // merges both sides
  BOOST_TEST(a.free_blocks().size() == 1u);
  BOOST_TEST(a.free_blocks().begin()->second == 0x1000u);
  // A freed hole is reused first.
  a.allocate(0x300);
  BOOST_TEST(a.allocate(0x100) == 0x300u);
}

BOOST_AUTO_TEST_CASE(out_of_memory_names_sizes) {
  RangeAllocator a("HBM of pe0", 0, 0x1000, 0x100);
  a.allocate(0x800);
  const auto hole = a.allocate(0x100);
  a.allocate(0x100);
  a.free(hole, 0x100);
  const std::string e = error_of([&] { a.allocate(0x700); });
  BOOST_TEST(contains(e, "HBM of pe0: out of memory: 1792 bytes requested"), e);
  BOOST_TEST(contains(e, "1792 bytes free in total, largest free block 1536 bytes"), e);
  BOOST_TEST(contains(error_of([&] { a.allocate(0x2000); }), "the whole range is 4096 bytes"));
  BOOST_TEST(contains(error_of([&] { a.allocate(0); }), "cannot allocate 0 bytes"));
}

BOOST_AUTO_TEST_CASE(double_and_mismatched_frees_are_errors) {
  RangeAllocator a("test", 0, 0x1000, 0x100);
  const auto x = a.allocate(0x200);
  BOOST_TEST(contains(error_of([&] { a.free(x, 0x100); }),
                      "free of 0x0 with 256 bytes, but 512 bytes were allocated there"));
  a.free(x, 0x200);
  BOOST_TEST(contains(error_of([&] { a.free(x, 0x200); }),
                      "free of 0x0 (512 bytes): no live allocation starts there (double free?)"));
  BOOST_TEST(contains(error_of([&] { a.free(0x50, 1); }), "no live allocation starts there"));
  BOOST_CHECK_THROW(RangeAllocator("bad", 0, 0x1000, 3), std::invalid_argument);
  BOOST_CHECK_THROW(RangeAllocator("bad", 0x10, 0x1000, 0x100), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(virtual_allocator_is_the_documented_range) {
  VirtualAllocator va(64ULL << 30, 4096);
  BOOST_TEST(va.base() == 0x100000000u);
  BOOST_TEST(va.size() == 64ULL << 30);
  BOOST_TEST(va.allocate(10) == 0x100000000u);
  BOOST_TEST(va.allocate(4097) == 0x100001000u);
  BOOST_TEST(va.allocate(1) == 0x100003000u);
}

// 10,000 mixed operations: live blocks never overlap, stay inside the range and aligned,
// the byte count always adds up, and freeing everything restores the initial state.
BOOST_AUTO_TEST_CASE(randomised_operations_keep_every_invariant) {
  const std::uint64_t base = 0x10000;
  const std::uint64_t size = 1 << 22;
  const std::uint64_t align = 64;
  RangeAllocator a("random", base, size, align);
  std::mt19937_64 rng(20261126);
  std::map<std::uint64_t, std::uint64_t> live;  // start -> requested bytes
  std::uint64_t used = 0;
  auto rounded = [&](std::uint64_t n) { return (n + align - 1) / align * align; };
  int failures = 0;
  for (int op = 0; op < 10000; ++op) {
    const bool do_alloc = live.empty() || rng() % 100 < 55;
    if (do_alloc) {
      const std::uint64_t n = 1 + rng() % (rng() % 8 == 0 ? 200000 : 4000);
      std::uint64_t at = 0;
      try {
        at = a.allocate(n);
      } catch (const AllocationError&) {
        ++failures;
        BOOST_TEST(a.largest_free_block() < rounded(n));
        continue;
      }
      BOOST_TEST(at % align == 0);
      BOOST_TEST((at >= base && at + rounded(n) <= base + size));
      auto next = live.lower_bound(at);
      if (next != live.end()) BOOST_TEST(at + rounded(n) <= next->first);
      if (next != live.begin()) {
        auto prev = std::prev(next);
        BOOST_TEST(prev->first + rounded(prev->second) <= at);
      }
      live.emplace(at, n);
      used += rounded(n);
    } else {
      auto it = live.begin();
      std::advance(it, static_cast<long>(rng() % live.size()));
      a.free(it->first, it->second);
      used -= rounded(it->second);
      live.erase(it);
    }
    BOOST_TEST(a.free_bytes() == size - used);
  }
  BOOST_TEST_MESSAGE("allocation failures under pressure: " << failures);
  for (const auto& [at, n] : live) a.free(at, n);
  BOOST_TEST(a.free_bytes() == size);
  BOOST_TEST(a.live_allocations() == 0u);
  BOOST_REQUIRE(a.free_blocks().size() == 1u);
  BOOST_TEST(a.free_blocks().begin()->first == base);
  BOOST_TEST(a.free_blocks().begin()->second == size);
}

BOOST_AUTO_TEST_CASE(the_address_space_follows_the_machine) {
  // As large as every SIP's HBM, SRAM and TCM, rounded up to a GiB: eight SIPs need eight
  // times one SIP's, and a small machine still gets the 64 GiB floor.
  const auto one = kb::platform::load_default_topology();
  const auto eight = kb::platform::load_default_topology({"system.sips.count=8"});
  const std::uint64_t device =
      static_cast<std::uint64_t>(one.cubes_per_sip()) *
          (one.hbm_bytes_per_cube() + one.sram_bytes_per_cube()) +
      static_cast<std::uint64_t>(one.world_size()) * one.tcm_bytes_per_pe();
  BOOST_TEST(VirtualAllocator::size_for(one) >= device);
  BOOST_TEST(VirtualAllocator::size_for(one) < device + (1ULL << 30));
  BOOST_TEST(VirtualAllocator::size_for(eight) >= 8 * device);
  BOOST_TEST(VirtualAllocator::size_for(eight) > VirtualAllocator::kMinSize);
  const auto small = kb::platform::load_default_topology(
      {"sip.cube_mesh.w=1", "sip.cube_mesh.h=1", "cube.memory_map.hbm_total_gb_per_cube=1"});
  BOOST_TEST(VirtualAllocator::size_for(small) == VirtualAllocator::kMinSize);
}

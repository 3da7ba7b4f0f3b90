#pragma once
// First-fit allocator over one contiguous address range, with coalescing on free.
// The base of the virtual allocator and of every per-PE physical allocator.

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

namespace kb::runtime {

// Out of memory, double free, or a free that does not match an allocation. The message
// names the allocator, the sizes and the addresses involved.
class AllocationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RangeAllocator {
 public:
  // Manages [base, base + size); every block starts and ends on `alignment`.
  RangeAllocator(std::string name, std::uint64_t base, std::uint64_t size, std::uint64_t alignment);

  // The lowest-addressed free block that fits `nbytes` rounded up to the alignment.
  std::uint64_t allocate(std::uint64_t nbytes);

  // Returns an allocation; `nbytes` must be what was asked for at `address`.
  void free(std::uint64_t address, std::uint64_t nbytes);

  const std::string& name() const { return name_; }
  std::uint64_t base() const { return base_; }
  std::uint64_t size() const { return size_; }
  std::uint64_t alignment() const { return alignment_; }
  std::uint64_t free_bytes() const { return free_bytes_; }
  std::uint64_t largest_free_block() const;
  std::size_t live_allocations() const { return live_.size(); }

  // Free blocks, start -> length, in address order (for inspection and tests).
  const std::map<std::uint64_t, std::uint64_t>& free_blocks() const { return free_; }

 private:
  std::uint64_t rounded(std::uint64_t nbytes) const;

  std::string name_;
  std::uint64_t base_;
  std::uint64_t size_;
  std::uint64_t alignment_;
  std::uint64_t free_bytes_;
  std::map<std::uint64_t, std::uint64_t> free_;  // start -> length, never adjacent
  std::map<std::uint64_t, std::uint64_t> live_;  // start -> rounded length
};

}  // namespace kb::runtime

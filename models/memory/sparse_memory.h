#pragma once
// Real bytes, stored sparsely: a page exists only once something non-zero is written to
// it, and reading a page that does not exist gives zeros. A 48 GiB HBM costs nothing
// until it is used.

#include <cstdint>
#include <memory>
#include <unordered_map>

namespace kb::models {

class SparseMemory {
 public:
  static constexpr std::uint64_t kPageBytes = 4096;

  explicit SparseMemory(std::uint64_t size) : size_(size) {}

  std::uint64_t size() const { return size_; }
  void read(std::uint64_t offset, unsigned char* dst, std::uint64_t nbytes) const;
  void write(std::uint64_t offset, const unsigned char* src, std::uint64_t nbytes);
  void fill_zero(std::uint64_t offset, std::uint64_t nbytes);

  std::uint64_t resident_bytes() const { return pages_.size() * kPageBytes; }

 private:
  template <class Fn>
  void for_each_chunk(std::uint64_t offset, std::uint64_t nbytes, Fn&& fn) const;

  std::uint64_t size_;
  std::unordered_map<std::uint64_t, std::unique_ptr<unsigned char[]>> pages_;
};

}  // namespace kb::models

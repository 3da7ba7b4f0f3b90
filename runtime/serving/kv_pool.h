#pragma once
// A paged KV cache's pool (docs/serving.md): blocks of a fixed number of tokens, handed to
// sequences as their caches grow and returned when they finish or are preempted.

#include <cstdint>

namespace kb::runtime::serving {

class KvPool {
 public:
  KvPool(std::int64_t blocks, std::int64_t block_tokens);
  std::int64_t blocks_for(std::int64_t tokens) const {
    return (tokens + block_tokens_ - 1) / block_tokens_;
  }
  bool can_take(std::int64_t blocks) const { return blocks <= free(); }
  // Takes `blocks` (can_take must hold) or gives them back.
  void take(std::int64_t blocks);
  void give(std::int64_t blocks);

  std::int64_t total() const { return total_; }
  std::int64_t used() const { return used_; }
  std::int64_t free() const { return total_ - used_; }
  std::int64_t peak() const { return peak_; }
  std::int64_t block_tokens() const { return block_tokens_; }

 private:
  std::int64_t total_, block_tokens_;
  std::int64_t used_ = 0, peak_ = 0;
};

}  // namespace kb::runtime::serving

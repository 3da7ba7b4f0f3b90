#include "runtime/serving/kv_pool.h"

#include <algorithm>
#include <stdexcept>

namespace kb::runtime::serving {

KvPool::KvPool(std::int64_t blocks, std::int64_t block_tokens)
    : total_(blocks), block_tokens_(block_tokens) {
  if (blocks < 0 || block_tokens < 1) {
    throw std::invalid_argument("a KV pool needs blocks >= 0 of at least one token");
  }
}

void KvPool::take(std::int64_t blocks) {
  if (blocks < 0 || !can_take(blocks)) throw std::logic_error("KV pool: more blocks than free");
  used_ += blocks;
  peak_ = std::max(peak_, used_);
}

void KvPool::give(std::int64_t blocks) {
  if (blocks < 0 || blocks > used_) throw std::logic_error("KV pool: more blocks given than held");
  used_ -= blocks;
}

}  // namespace kb::runtime::serving

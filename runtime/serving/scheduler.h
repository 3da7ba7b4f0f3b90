#pragma once
// The serving schedulers (docs/serving.md): which waiting requests join, and what each
// running sequence does, in the next iteration.
//   vllm:    continuous batching, prefill first: an iteration of new prompts whenever one
//            can be admitted, otherwise one decode token for every running sequence.
//   sarathi: chunked prefill under a token budget: every decode, then prompt chunks
//            (continuing ones first, then new ones) up to `chunk` tokens in all.
//   static:  batch and wait: a batch (as many as max_seqs and the pool allow, the KV cache
//            of each one's whole output reserved) is admitted only when the last one has
//            finished; its prompts are prefilled, max_batch_tokens an iteration, then its
//            sequences decode together.
// vllm and sarathi preempt by recompute when a decode finds no free block: the most
// recently admitted sequence gives its blocks back and waits, first in line, to prefill its
// prompt and what it had generated again.

#include "runtime/serving/kv_pool.h"
#include "runtime/serving/sequence.h"

#include <deque>
#include <optional>
#include <string_view>
#include <vector>

namespace kb::runtime::serving {

enum class Policy { vllm, sarathi, static_batch };
const char* to_string(Policy policy);
std::optional<Policy> parse_policy(std::string_view name);

struct SchedulerLimits {
  std::int64_t max_batch_tokens = 2048;  // prompt tokens in one iteration (vllm, static)
  std::int64_t max_seqs = 64;            // sequences running at once
  std::int64_t chunk = 512;              // sarathi's tokens per iteration
};

class Scheduler {
 public:
  Scheduler(Policy policy, SchedulerLimits limits, KvPool& pool);
  // The next iteration at time `now`: admits from the front of `waiting` into `running`,
  // takes the KV blocks the iteration writes, preempts when they run out. Empty when
  // nothing can run.
  Batch next(std::deque<Sequence*>& waiting, std::vector<Sequence*>& running, double now);
  // What a sequence holds at most: its prompt and all but its last output token cached.
  std::int64_t lifetime_blocks(const Request& r) const;

 private:
  Batch vllm(std::deque<Sequence*>& waiting, std::vector<Sequence*>& running, double now);
  Batch sarathi(std::deque<Sequence*>& waiting, std::vector<Sequence*>& running, double now);
  Batch batch_and_wait(std::deque<Sequence*>& waiting, std::vector<Sequence*>& running, double now);
  // Admits the front of `waiting` with `blocks` taken for it.
  Sequence* admit(std::deque<Sequence*>& waiting, std::vector<Sequence*>& running,
                  std::int64_t blocks, double now);
  // Every decoding sequence of `running` with a block for its next token, preempting the
  // most recently admitted ones when the pool runs dry.
  void decodes(std::deque<Sequence*>& waiting, std::vector<Sequence*>& running, Batch& batch);
  void preempt(Sequence& s, std::deque<Sequence*>& waiting, std::vector<Sequence*>& running);

  Policy policy_;
  SchedulerLimits limits_;
  KvPool& pool_;
};

}  // namespace kb::runtime::serving

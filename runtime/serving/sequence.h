#pragma once
// A request as the server serves it: how much of its prompt is in the KV cache, how many
// tokens it has generated, the blocks it holds and when things happened to it.

#include "runtime/serving/request_source.h"

#include <cstdint>
#include <vector>

namespace kb::runtime::serving {

struct Sequence {
  const Request* request = nullptr;
  // Tokens to prefill: the prompt, and after a preemption (by recompute) what it had
  // generated too.
  std::int64_t target = 0;
  std::int64_t prefilled = 0;
  std::int64_t generated = 0;
  std::int64_t kv_tokens = 0;  // tokens whose keys and values are cached
  std::int64_t blocks = 0;     // KV blocks held
  std::int64_t preemptions = 0;
  double admitted_s = -1, first_token_s = -1, finished_s = -1;  // -1: not yet

  bool decoding() const { return target > 0 && prefilled == target; }
  bool done() const { return generated == request->output_tokens; }
};

// One iteration's work: prompt chunks (tokens of a sequence from position `past`) and one
// token of each decoding sequence.
struct PrefillPart {
  Sequence* sequence = nullptr;
  std::int64_t tokens = 0, past = 0;
};
struct Batch {
  std::vector<PrefillPart> prefills;
  std::vector<Sequence*> decodes;
  std::int64_t decode_context = 0;  // the decoding sequences' cached tokens, summed

  bool empty() const { return prefills.empty() && decodes.empty(); }
  std::int64_t sequences() const {
    return static_cast<std::int64_t>(prefills.size() + decodes.size());
  }
  std::int64_t prefill_tokens() const {
    std::int64_t n = 0;
    for (const PrefillPart& p : prefills) n += p.tokens;
    return n;
  }
};

}  // namespace kb::runtime::serving

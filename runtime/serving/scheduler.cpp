#include "runtime/serving/scheduler.h"

#include <algorithm>
#include <stdexcept>

namespace kb::runtime::serving {

const char* to_string(Policy policy) {
  switch (policy) {
    case Policy::vllm: return "vllm";
    case Policy::sarathi: return "sarathi";
    case Policy::static_batch: return "static";
  }
  return "?";
}

std::optional<Policy> parse_policy(std::string_view name) {
  for (Policy p : {Policy::vllm, Policy::sarathi, Policy::static_batch})
    if (name == to_string(p)) return p;
  return std::nullopt;
}

Scheduler::Scheduler(Policy policy, SchedulerLimits limits, KvPool& pool)
    : policy_(policy), limits_(limits), pool_(pool) {
  if (limits.max_batch_tokens < 1 || limits.max_seqs < 1 || limits.chunk < 1) {
    throw std::invalid_argument("scheduler limits must be at least 1");
  }
}

std::int64_t Scheduler::lifetime_blocks(const Request& r) const {
  return pool_.blocks_for(r.prompt_tokens + r.output_tokens - 1);
}

Batch Scheduler::next(std::deque<Sequence*>& waiting, std::vector<Sequence*>& running, double now) {
  switch (policy_) {
    case Policy::vllm: return vllm(waiting, running, now);
    case Policy::sarathi: return sarathi(waiting, running, now);
    case Policy::static_batch: return batch_and_wait(waiting, running, now);
  }
  return {};
}

Sequence* Scheduler::admit(std::deque<Sequence*>& waiting, std::vector<Sequence*>& running,
                           std::int64_t blocks, double now) {
  Sequence* s = waiting.front();
  waiting.pop_front();
  pool_.take(blocks);
  s->blocks += blocks;
  if (s->admitted_s < 0) s->admitted_s = now;
  running.push_back(s);
  return s;
}

void Scheduler::preempt(Sequence& s, std::deque<Sequence*>& waiting,
                        std::vector<Sequence*>& running) {
  pool_.give(s.blocks);
  s.blocks = 0;
  s.kv_tokens = 0;
  s.prefilled = 0;
  s.target = s.request->prompt_tokens + s.generated;
  ++s.preemptions;
  running.erase(std::find(running.begin(), running.end(), &s));
  waiting.push_front(&s);
}

void Scheduler::decodes(std::deque<Sequence*>& waiting, std::vector<Sequence*>& running,
                        Batch& batch) {
  // In admission order, so that the oldest keep their blocks.
  for (std::size_t i = 0; i < running.size(); ++i) {
    Sequence* s = running[i];
    if (!s->decoding()) continue;
    const std::int64_t need = pool_.blocks_for(s->kv_tokens + 1) - s->blocks;
    while (!pool_.can_take(need) && running.back() != s) {
      Sequence* victim = running.back();
      batch.decodes.erase(std::remove(batch.decodes.begin(), batch.decodes.end(), victim),
                          batch.decodes.end());
      preempt(*victim, waiting, running);
    }
    if (!pool_.can_take(need)) {
      preempt(*s, waiting, running);
      break;  // it was the last: everything before it has its block
    }
    pool_.take(need);
    s->blocks += need;
    batch.decodes.push_back(s);
  }
  batch.decode_context = 0;
  for (const Sequence* s : batch.decodes) batch.decode_context += s->kv_tokens;
}

Batch Scheduler::vllm(std::deque<Sequence*>& waiting, std::vector<Sequence*>& running, double now) {
  Batch batch;
  std::int64_t tokens = 0;
  while (!waiting.empty() && static_cast<std::int64_t>(running.size()) < limits_.max_seqs) {
    const Sequence& s = *waiting.front();
    const std::int64_t blocks = pool_.blocks_for(s.target);
    // A prompt longer than the budget runs alone.
    if ((tokens > 0 && tokens + s.target > limits_.max_batch_tokens) || !pool_.can_take(blocks)) {
      break;
    }
    Sequence* admitted = admit(waiting, running, blocks, now);
    batch.prefills.push_back({admitted, admitted->target, 0});
    tokens += admitted->target;
  }
  if (batch.empty()) decodes(waiting, running, batch);
  return batch;
}

Batch Scheduler::sarathi(std::deque<Sequence*>& waiting, std::vector<Sequence*>& running,
                         double now) {
  Batch batch;
  decodes(waiting, running, batch);
  std::int64_t budget = limits_.chunk - static_cast<std::int64_t>(batch.decodes.size());
  for (Sequence* s : running) {
    if (budget <= 0) break;
    if (s->decoding()) continue;
    const std::int64_t part = std::min(budget, s->target - s->prefilled);
    batch.prefills.push_back({s, part, s->prefilled});
    budget -= part;
  }
  while (budget > 0 && !waiting.empty() &&
         static_cast<std::int64_t>(running.size()) < limits_.max_seqs) {
    const std::int64_t blocks = pool_.blocks_for(waiting.front()->target);
    if (!pool_.can_take(blocks)) break;
    Sequence* s = admit(waiting, running, blocks, now);
    const std::int64_t part = std::min(budget, s->target);
    batch.prefills.push_back({s, part, 0});
    budget -= part;
  }
  return batch;
}

Batch Scheduler::batch_and_wait(std::deque<Sequence*>& waiting, std::vector<Sequence*>& running,
                                double now) {
  Batch batch;
  if (running.empty()) {
    // A new batch: as many as fit, each with its whole output's blocks reserved, so that no
    // sequence ever waits for one.
    while (!waiting.empty() && static_cast<std::int64_t>(running.size()) < limits_.max_seqs) {
      const std::int64_t blocks = lifetime_blocks(*waiting.front()->request);
      if (!pool_.can_take(blocks)) break;
      admit(waiting, running, blocks, now);
    }
  }
  // Its prompts first, whole, up to max_batch_tokens an iteration (a longer one alone)...
  std::int64_t tokens = 0;
  for (Sequence* s : running) {
    if (s->decoding()) continue;
    if (tokens > 0 && tokens + s->target > limits_.max_batch_tokens) break;
    batch.prefills.push_back({s, s->target, 0});
    tokens += s->target;
  }
  if (!batch.prefills.empty()) return batch;
  // ...then its decodes, together, until the last has finished.
  for (Sequence* s : running) batch.decodes.push_back(s);
  for (const Sequence* s : batch.decodes) batch.decode_context += s->kv_tokens;
  return batch;
}

}  // namespace kb::runtime::serving

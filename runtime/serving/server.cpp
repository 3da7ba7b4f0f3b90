#include "runtime/serving/server.h"

#include <algorithm>
#include <deque>
#include <stdexcept>

namespace kb::runtime::serving {

Server::Server(Policy policy, SchedulerLimits limits, KvPool pool, StepTime step_time)
    : pool_(pool), scheduler_(policy, limits, pool_), step_time_(std::move(step_time)) {}

void Server::apply(const Batch& batch, double end_s, std::vector<Sequence*>& running) {
  const auto token = [&](Sequence& s) {
    ++s.generated;
    if (s.first_token_s < 0) s.first_token_s = end_s;
    if (s.done()) s.finished_s = end_s;
  };
  for (const PrefillPart& p : batch.prefills) {
    p.sequence->prefilled += p.tokens;
    p.sequence->kv_tokens += p.tokens;
    // The last chunk of a prompt yields the next token.
    if (p.sequence->decoding()) token(*p.sequence);
  }
  for (Sequence* s : batch.decodes) {
    ++s->kv_tokens;
    token(*s);
  }
  for (Sequence* s : running) {
    if (s->finished_s >= 0) {
      pool_.give(s->blocks);
      s->blocks = 0;
    }
  }
  running.erase(std::remove_if(running.begin(), running.end(),
                               [](const Sequence* s) { return s->finished_s >= 0; }),
                running.end());
}

ServeResult Server::run(const std::vector<Request>& requests,
                        const std::function<void(std::int64_t)>& progress) {
  ServeResult out;
  out.sequences.resize(requests.size());
  std::vector<Sequence*> pending;  // in arrival order
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (i > 0 && requests[i].arrival_s < requests[i - 1].arrival_s) {
      throw std::invalid_argument("requests must come in arrival order");
    }
    Sequence& s = out.sequences[i];
    s.request = &requests[i];
    s.target = requests[i].prompt_tokens;
    if (scheduler_.lifetime_blocks(requests[i]) > pool_.total()) {
      out.refused.push_back(requests[i].id);
    } else {
      pending.push_back(&s);
    }
  }
  std::deque<Sequence*> waiting;
  std::vector<Sequence*> running;
  std::size_t next = 0;
  std::int64_t finished = 0, in_flight = 0;
  double now = 0, last = 0;
  const auto account = [&](double t) {
    out.in_flight_seconds += static_cast<double>(in_flight) * (t - last);
    last = t;
  };
  const auto arrive_until = [&](double t) {
    for (; next < pending.size() && pending[next]->request->arrival_s <= t; ++next) {
      account(pending[next]->request->arrival_s);
      ++in_flight;
      waiting.push_back(pending[next]);
    }
  };
  while (finished < static_cast<std::int64_t>(pending.size())) {
    arrive_until(now);
    Batch batch = scheduler_.next(waiting, running, now);
    if (batch.empty()) {
      if (next == pending.size()) {
        throw std::logic_error("the server stalled with requests waiting and none running");
      }
      now = std::max(now, pending[next]->request->arrival_s);  // idle until the next arrival
      continue;
    }
    const double step = step_time_(batch);
    account(now);
    Iteration it{now,
                 now + step,
                 batch.sequences(),
                 batch.prefill_tokens(),
                 static_cast<std::int64_t>(batch.decodes.size()),
                 pool_.used(),
                 in_flight};
    arrive_until(now + step);
    now += step;
    account(now);
    const std::size_t before = running.size();
    apply(batch, now, running);
    const auto done = static_cast<std::int64_t>(before - running.size());
    finished += done;
    in_flight -= done;
    out.iterations.push_back(it);
    if (progress) progress(finished);
  }
  for (const Sequence& s : out.sequences) out.preemptions += s.preemptions;
  return out;
}

}  // namespace kb::runtime::serving

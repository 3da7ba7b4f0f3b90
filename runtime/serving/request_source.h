#pragma once
// Where a serving run's requests come from (docs/serving.md): a CSV trace of arrivals, or
// a seeded synthetic source.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace kb::runtime::serving {

struct Request {
  std::int64_t id = 0;  // its index in arrival order
  double arrival_s = 0;
  std::int64_t prompt_tokens = 0;
  std::int64_t output_tokens = 0;
  std::string origin;  // "trace.csv:12" or "synthetic #11", for messages
};

// A trace that cannot be read: the message names the file, the line and what is wrong.
class RequestTraceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A CSV of arrival time, prompt tokens, output tokens, one request per line, arrivals in
// order. A first line of names picks the columns (arrival_s|arrival|timestamp,
// prompt_tokens|prompt|contexttokens, output_tokens|output|generatedtokens, any case;
// others ignored), so the Azure LLM inference trace (TIMESTAMP, ContextTokens,
// GeneratedTokens) reads as is; without one the three columns come in that order. A time is
// seconds or a date and time ("2023-11-16 18:15:46.6805900"); times are taken from the first
// request's. At most `limit` requests (0: all).
std::vector<Request> read_request_trace(const std::string& path, std::int64_t limit = 0);

// A token count: fixed ("512"), uniform ("uniform:128:1024") or log-normal around a median
// ("lognormal:512:0.8", rounded, at least 1, at most `max_tokens`).
struct TokenCount {
  enum class Kind { fixed, uniform, lognormal };
  Kind kind = Kind::fixed;
  double a = 1, b = 1;                               // the value; lo and hi; median and sigma
  static TokenCount parse(const std::string& text);  // std::invalid_argument when malformed
  std::string to_string() const;
};

struct SyntheticLoad {
  double rate = 1;            // requests per second
  bool poisson = true;        // false: gamma inter-arrival times
  double cv = 1;              // the gamma's coefficient of variation
  TokenCount prompt, output;  // drawn independently per request
  std::int64_t requests = 0;  // at most this many (0: no limit)
  double duration_s = 0;      // arriving within this long (0: no limit)
  std::int64_t max_tokens = 1 << 20;
  std::uint64_t seed = 1;
};
// The requests of `load`; one of its limits must be set (std::invalid_argument otherwise).
std::vector<Request> synthetic_requests(const SyntheticLoad& load);

}  // namespace kb::runtime::serving

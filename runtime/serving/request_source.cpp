#include "runtime/serving/request_source.h"

#include "platform/util/split.h"

#include "runtime/serving/random_draws.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace kb::runtime::serving {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\"");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\"");
  return std::string(s.substr(first, last - first + 1));
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> cells = platform::split(line, ',');
  for (std::string& cell : cells) cell = trim(cell);
  return cells;
}

std::optional<double> number(const std::string& s) {
  double v = 0;
  const char* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || ptr != end || !std::isfinite(v)) return std::nullopt;
  return v;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// "YYYY-MM-DD HH:MM:SS[.fraction]" (or with a T) in seconds since 1970.
std::optional<double> date_time(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, n = 0;
  char sep = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%c%2d:%2d:%n", &y, &mo, &d, &sep, &h, &mi, &n) != 6 ||
      (sep != ' ' && sep != 'T') || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) {
    return std::nullopt;
  }
  const std::optional<double> sec = number(s.substr(static_cast<std::size_t>(n)));
  if (!sec || *sec < 0 || *sec >= 61) return std::nullopt;
  return static_cast<double>(
             days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d))) *
             86400.0 +
         h * 3600.0 + mi * 60.0 + *sec;
}

// The column of each field, from a header of names, or nullopt when the line is data.
std::optional<std::array<std::size_t, 3>> header_columns(const std::vector<std::string>& cells,
                                                         const std::string& where) {
  if (cells.empty() || number(cells.front()) || date_time(cells.front())) return std::nullopt;
  static const std::array<std::vector<std::string>, 3> names = {
      std::vector<std::string>{"arrival_s", "arrival", "timestamp"},
      std::vector<std::string>{"prompt_tokens", "prompt", "contexttokens"},
      std::vector<std::string>{"output_tokens", "output", "generatedtokens"}};
  std::array<std::size_t, 3> columns{};
  for (std::size_t f = 0; f < 3; ++f) {
    const auto it = std::find_if(cells.begin(), cells.end(), [&](const std::string& c) {
      return std::count(names[f].begin(), names[f].end(), lower(c)) > 0;
    });
    if (it == cells.end()) {
      throw RequestTraceError(fmt::format("{}: the header has no column {} (one of: {})", where,
                                          names[f].front(),
                                          fmt::format("{}", fmt::join(names[f], ", "))));
    }
    columns[f] = static_cast<std::size_t>(it - cells.begin());
  }
  return columns;
}

std::int64_t tokens(const std::string& cell, const char* what, const std::string& where) {
  const std::optional<double> v = number(cell);
  if (!v || *v != std::floor(*v) || *v < 1 || *v > 1e9) {
    throw RequestTraceError(fmt::format(
        "{}: {} '{}': expected a whole number of tokens, at least 1", where, what, cell));
  }
  return static_cast<std::int64_t>(*v);
}

}  // namespace

std::vector<Request> read_request_trace(const std::string& path, std::int64_t limit) {
  std::ifstream in(path);
  if (!in) throw RequestTraceError(fmt::format("{}: cannot open the request trace", path));
  std::vector<Request> out;
  std::array<std::size_t, 3> columns{0, 1, 2};
  std::optional<double> origin;
  std::string line;
  for (std::int64_t number_of_line = 1; std::getline(in, line); ++number_of_line) {
    const std::string where = fmt::format("{}:{}", path, number_of_line);
    if (trim(line).empty()) continue;
    const std::vector<std::string> cells = split_csv(line);
    if (number_of_line == 1) {
      if (const auto named = header_columns(cells, where)) {
        columns = *named;
        continue;
      }
    }
    const std::size_t need = *std::max_element(columns.begin(), columns.end()) + 1;
    if (cells.size() < need) {
      throw RequestTraceError(fmt::format(
          "{}: {} columns, expected at least {} (arrival time, prompt tokens, output tokens)",
          where, cells.size(), need));
    }
    const std::string& time = cells[columns[0]];
    std::optional<double> t = number(time);
    if (!t) t = date_time(time);
    if (!t) {
      throw RequestTraceError(fmt::format(
          "{}: arrival '{}': expected seconds or a date and time (2023-11-16 18:15:46.68)", where,
          time));
    }
    if (*t < 0) throw RequestTraceError(fmt::format("{}: arrival {} is negative", where, time));
    if (!origin) origin = *t;
    Request r;
    r.id = static_cast<std::int64_t>(out.size());
    r.arrival_s = *t - *origin;
    if (!out.empty() && r.arrival_s < out.back().arrival_s) {
      throw RequestTraceError(
          fmt::format("{}: arrival {} is before the previous request's: arrivals must be in order",
                      where, time));
    }
    r.prompt_tokens = tokens(cells[columns[1]], "prompt tokens", where);
    r.output_tokens = tokens(cells[columns[2]], "output tokens", where);
    r.origin = where;
    out.push_back(std::move(r));
    if (limit > 0 && static_cast<std::int64_t>(out.size()) == limit) break;
  }
  if (out.empty()) throw RequestTraceError(fmt::format("{}: no requests in the trace", path));
  return out;
}

TokenCount TokenCount::parse(const std::string& text) {
  const auto bad = [&](const std::string& why) {
    return std::invalid_argument(
        fmt::format("'{}': {}; expected N, uniform:LO:HI or lognormal:MEDIAN:SIGMA", text, why));
  };
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string p; std::getline(in, p, ':');) parts.push_back(p);
  TokenCount c;
  const auto value = [&](std::size_t i) {
    const std::optional<double> v = i < parts.size() ? number(parts[i]) : std::nullopt;
    if (!v) throw bad("not a number");
    return *v;
  };
  if (parts.size() == 1) {
    c.a = c.b = value(0);
    if (c.a < 1 || c.a != std::floor(c.a)) throw bad("a count of at least 1");
  } else if (parts.size() == 3 && parts[0] == "uniform") {
    c.kind = Kind::uniform;
    c.a = value(1);
    c.b = value(2);
    if (c.a < 1 || c.b < c.a || c.a != std::floor(c.a) || c.b != std::floor(c.b)) {
      throw bad("whole LO >= 1 and HI >= LO");
    }
  } else if (parts.size() == 3 && parts[0] == "lognormal") {
    c.kind = Kind::lognormal;
    c.a = value(1);
    c.b = value(2);
    if (c.a < 1 || c.b < 0 || c.b > 4) throw bad("MEDIAN >= 1 and SIGMA in [0, 4]");
  } else {
    throw bad("unknown form");
  }
  return c;
}

std::string TokenCount::to_string() const {
  switch (kind) {
    case Kind::fixed: return fmt::format("{}", a);
    case Kind::uniform: return fmt::format("uniform:{}:{}", a, b);
    case Kind::lognormal: return fmt::format("lognormal:{}:{}", a, b);
  }
  return {};
}

namespace {
std::int64_t draw(const TokenCount& c, RandomDraws& random, std::int64_t max_tokens) {
  double v = c.a;
  if (c.kind == TokenCount::Kind::uniform) {
    v = static_cast<double>(
        random.integer(static_cast<std::int64_t>(c.a), static_cast<std::int64_t>(c.b)));
  } else if (c.kind == TokenCount::Kind::lognormal) {
    v = std::round(c.a * std::exp(c.b * random.normal()));
  }
  return std::clamp(static_cast<std::int64_t>(v), std::int64_t{1}, max_tokens);
}
}  // namespace

std::vector<Request> synthetic_requests(const SyntheticLoad& load) {
  if (load.requests <= 0 && load.duration_s <= 0) {
    throw std::invalid_argument("a synthetic load needs a number of requests or a duration");
  }
  if (!(load.rate > 0)) throw std::invalid_argument("a synthetic load needs a rate above 0");
  // Separate streams, so that changing the token counts keeps the arrival times.
  RandomDraws arrivals(load.seed), prompts(load.seed * 3 + 1), outputs(load.seed * 5 + 2);
  std::vector<Request> out;
  double t = 0;
  for (std::int64_t i = 0; load.requests <= 0 || i < load.requests; ++i) {
    const double mean = 1.0 / load.rate;
    if (i > 0) t += load.poisson ? arrivals.exponential(mean) : arrivals.gamma(mean, load.cv);
    if (load.duration_s > 0 && t > load.duration_s) break;
    out.push_back({i, t, draw(load.prompt, prompts, load.max_tokens),
                   draw(load.output, outputs, load.max_tokens), fmt::format("synthetic #{}", i)});
  }
  return out;
}

}  // namespace kb::runtime::serving

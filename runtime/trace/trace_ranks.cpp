#include "runtime/trace/trace_ranks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>

namespace kb::chakra {

std::vector<Trace> read_rank_traces(const std::string& prefix, std::int64_t replicate) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (std::size_t r = 0;; ++r) {
    const std::string path = fmt::format("{}.{}.et", prefix, r);
    if (!fs::exists(path)) break;
    files.push_back(path);
  }
  if (files.empty()) {
    // The bench names the parameter (--param trace=PREFIX) before these messages.
    throw TraceImportError(
        fmt::format("no file {}.0.et (a trace is PREFIX.<rank>.et, one file per rank)", prefix));
  }
  // A later rank's file past a gap would be silently left out.
  const fs::path base(prefix);
  const fs::path dir = base.has_parent_path() ? base.parent_path() : fs::path(".");
  const std::string stem = base.filename().string() + ".";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(stem, 0) != 0 || name.size() <= stem.size() + 3 ||
        name.substr(name.size() - 3) != ".et") {
      continue;
    }
    const std::string digits = name.substr(stem.size(), name.size() - stem.size() - 3);
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), ::isdigit)) continue;
    // A number too large for 64 bits is past the last file too.
    std::uint64_t rank = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), rank);
    if (error != std::errc() || end != digits.data() + digits.size() || rank >= files.size()) {
      throw TraceImportError(fmt::format("{} exists but {}.{}.et does not", (dir / name).string(),
                                         prefix, files.size()));
    }
  }
  if (replicate > 0 && files.size() != 1 && files.size() != static_cast<std::size_t>(replicate)) {
    throw TraceImportError(
        fmt::format("--param ranks={}: the trace has {} rank files; ranks= replicates a single one",
                    replicate, files.size()));
  }
  std::vector<Trace> traces;
  for (const std::string& f : files) traces.push_back(read_trace(f));
  if (replicate > 1 && traces.size() == 1) {
    traces.resize(static_cast<std::size_t>(replicate), traces.front());
  }
  return traces;
}

std::int64_t rank_capacity(const platform::Topology& t, RankUnit unit) {
  const auto sips = static_cast<std::int64_t>(t.system.sips.count);
  switch (unit) {
    case RankUnit::sip: return sips;
    case RankUnit::cube: return sips * static_cast<std::int64_t>(t.cubes_per_sip());
    case RankUnit::pe: return t.world_size();
  }
  return 0;
}

std::vector<runtime::PeCoord> rank_pes(const platform::Topology& t, RankUnit unit,
                                       std::uint32_t rank) {
  const auto cubes = static_cast<std::uint32_t>(t.cubes_per_sip());
  const auto pes = static_cast<std::uint32_t>(t.pes_per_cube());
  std::vector<runtime::PeCoord> out;
  switch (unit) {
    case RankUnit::sip:
      for (std::uint32_t c = 0; c < cubes; ++c)
        for (std::uint32_t p = 0; p < pes; ++p) out.push_back({rank, c, p});
      break;
    case RankUnit::cube:
      for (std::uint32_t p = 0; p < pes; ++p) out.push_back({rank / cubes, rank % cubes, p});
      break;
    case RankUnit::pe: out.push_back({rank / (cubes * pes), rank / pes % cubes, rank % pes}); break;
  }
  return out;
}

}  // namespace kb::chakra

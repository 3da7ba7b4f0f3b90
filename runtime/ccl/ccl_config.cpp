#include "runtime/ccl/ccl_config.h"

#include "platform/topology/topology.h"
#include "platform/util/config_file.h"
#include "platform/util/did_you_mean.h"
#include "runtime/ccl/algorithm.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>

namespace kb::runtime {

namespace {

using platform::check_keys;
using platform::ConfigError;
using platform::SourceLocation;

SourceLocation at(const std::string& source, const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  return m.is_null() ? SourceLocation{source, 0, 0}
                     : SourceLocation{source, m.line + 1, m.column + 1};
}

std::int64_t positive(const std::string& source, const std::string& key, const YAML::Node& node,
                      std::int64_t max) {
  const std::string text = node.IsScalar() ? node.Scalar() : "";
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 1 || v > max) {
    throw ConfigError(at(source, node), key,
                      fmt::format("expected an integer from 1 to {}, got '{}'", max, text));
  }
  return v;
}

// A world is at most every PE a topology may have; a piece at most 1 GiB.
std::int64_t world_size_of(const std::string& source, const std::string& key,
                           const YAML::Node& node) {
  return positive(source, key, node, platform::kMaxWorldSize);
}
std::int64_t chunk_bytes_of(const std::string& source, const std::string& key,
                            const YAML::Node& node) {
  return positive(source, key, node, std::int64_t{1} << 30);
}

std::string algorithm_name(const std::string& source, const std::string& key,
                           const YAML::Node& node) {
  const std::string name = node.IsScalar() ? node.Scalar() : "";
  const auto known = ccl_algorithm_names();
  if (std::find(known.begin(), known.end(), name) == known.end()) {
    throw ConfigError(at(source, node), key,
                      fmt::format("'{}' is not a registered algorithm; registered: {}", name,
                                  fmt::join(known, ", ")));
  }
  return name;
}

// `tuning:` — per collective, a list of {up_to: BYTES, algorithm: NAME}, sizes rising, an
// entry without up_to (if any) last; each algorithm registered and doing the collective.
Tuning tuning_of(const std::string& source, const YAML::Node& node) {
  if (!node.IsMap())
    throw ConfigError(at(source, node), "tuning", "expected a mapping of collectives");
  Tuning tuning;
  for (const auto& kv : node) {
    const std::string key = "tuning." + kv.first.Scalar();
    const std::optional<Collective> kind = parse_collective(kv.first.Scalar());
    if (!kind) {
      throw ConfigError(at(source, kv.first), key,
                        "expected all_reduce, reduce_scatter, all_gather, broadcast, all_to_all "
                        "or barrier");
    }
    if (!kv.second.IsSequence() || kv.second.size() == 0) {
      throw ConfigError(at(source, kv.second), key,
                        "expected a list of {up_to: BYTES, algorithm: NAME}");
    }
    std::vector<TuningRule>& rules = tuning[*kind];
    for (std::size_t i = 0; i < kv.second.size(); ++i) {
      const YAML::Node rule = kv.second[i];
      const std::string at_key = fmt::format("{}[{}]", key, i);
      check_keys(source, at_key, rule, {"up_to", "algorithm"});
      if (!rule["algorithm"]) throw ConfigError(at(source, rule), at_key, "algorithm: missing");
      TuningRule r;
      r.algorithm = algorithm_name(source, at_key + ".algorithm", rule["algorithm"]);
      if (!ccl_algorithm(r.algorithm).supports(*kind)) {
        throw ConfigError(at(source, rule["algorithm"]), at_key + ".algorithm",
                          fmt::format("{} does not do {}", r.algorithm, to_string(*kind)));
      }
      if (!rules.empty() && !rules.back().up_to) {
        throw ConfigError(at(source, rule), at_key,
                          "follows an entry without up_to, which covers every size");
      }
      if (rule["up_to"]) {
        r.up_to = static_cast<std::uint64_t>(
            positive(source, at_key + ".up_to", rule["up_to"], std::int64_t{1} << 50));
        if (!rules.empty() && *r.up_to <= *rules.back().up_to) {
          throw ConfigError(
              at(source, rule["up_to"]), at_key + ".up_to",
              fmt::format("{} is not above the entry before ({})", *r.up_to, *rules.back().up_to));
        }
      }
      rules.push_back(r);
    }
  }
  return tuning;
}

// `levels:` of the hierarchical entry — a list of ring or rhd, one per level of the
// machine (a cube's ranks, a SIP's cubes, up to 4 network levels).
std::vector<std::string> levels_of(const std::string& source, const std::string& key,
                                   const std::string& algorithm, const YAML::Node& node) {
  if (algorithm != "hierarchical") {
    throw ConfigError(at(source, node), key + ".levels", "only hierarchical runs level by level");
  }
  constexpr std::size_t kMostLevels = 2 + 4;
  if (!node.IsSequence() || node.size() == 0 || node.size() > kMostLevels) {
    throw ConfigError(at(source, node), key + ".levels",
                      fmt::format("expected a list of 1 to {} of ring or rhd, innermost first "
                                  "(a cube's ranks, a SIP's cubes, each network level)",
                                  kMostLevels));
  }
  std::vector<std::string> levels;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string name = node[i].IsScalar() ? node[i].Scalar() : "";
    if (name != "ring" && name != "rhd") {
      throw ConfigError(at(source, node[i]), fmt::format("{}.levels[{}]", key, i),
                        fmt::format("expected ring or rhd, got '{}'", name));
    }
    levels.push_back(name);
  }
  return levels;
}

}  // namespace

const std::string& CclAlgorithmConfig::algorithm_for(Collective kind, std::uint64_t bytes) const {
  const auto it = tuning.find(kind);
  if (it != tuning.end()) {
    for (const TuningRule& r : it->second)
      if (!r.up_to || bytes <= *r.up_to) return r.algorithm;
  }
  return algorithm;
}

std::vector<std::string> CclAlgorithmConfig::algorithms() const {
  std::vector<std::string> all = {algorithm};
  for (const auto& [kind, rules] : tuning) {
    for (const TuningRule& r : rules)
      if (std::find(all.begin(), all.end(), r.algorithm) == all.end()) all.push_back(r.algorithm);
  }
  return all;
}

CclAlgorithmConfig CclConfig::resolve(const std::string& name) const {
  const std::string chosen = name.empty() ? default_algorithm : name;
  const auto it = std::find_if(algorithms.begin(), algorithms.end(),
                               [&](const Entry& e) { return e.name == chosen; });
  if (it == algorithms.end()) {
    std::vector<std::string> names;
    for (const Entry& e : algorithms) names.push_back(e.name);
    throw std::invalid_argument(
        fmt::format("{}: no algorithm '{}'; it lists: {}", source, chosen, fmt::join(names, ", ")));
  }
  CclAlgorithmConfig c;
  c.algorithm = chosen;
  c.world_size = it->world_size ? it->world_size : default_world_size;
  c.chunk_bytes = it->chunk_bytes.value_or(default_chunk_bytes);
  if (name.empty()) c.tuning = tuning;
  for (const Entry& e : algorithms)
    if (e.name == "hierarchical") c.levels = e.levels;
  return c;
}

CclConfig load_ccl_text(const std::string& yaml, const std::string& source) {
  const YAML::Node root = platform::parse_config_document(yaml, source);
  CclConfig c;
  c.source = source;
  if (root.IsNull()) return c;
  check_keys(source, "", root, {"defaults", "algorithms", "tuning"});
  if (const YAML::Node d = root["defaults"]) {
    check_keys(source, "defaults", d, {"algorithm", "world_size", "chunk_bytes"});
    if (d["algorithm"])
      c.default_algorithm = algorithm_name(source, "defaults.algorithm", d["algorithm"]);
    if (d["world_size"])
      c.default_world_size = world_size_of(source, "defaults.world_size", d["world_size"]);
    if (d["chunk_bytes"])
      c.default_chunk_bytes = chunk_bytes_of(source, "defaults.chunk_bytes", d["chunk_bytes"]);
  }
  if (const YAML::Node a = root["algorithms"]) {
    if (!a.IsMap())
      throw ConfigError(at(source, a), "algorithms", "expected a mapping of algorithm names");
    for (const auto& kv : a) {
      const std::string key = "algorithms." + kv.first.Scalar();
      CclConfig::Entry e;
      e.name = algorithm_name(source, key, kv.first);
      if (!kv.second.IsNull()) {
        check_keys(source, key, kv.second, {"world_size", "chunk_bytes", "levels"});
        if (kv.second["world_size"])
          e.world_size = world_size_of(source, key + ".world_size", kv.second["world_size"]);
        if (kv.second["chunk_bytes"])
          e.chunk_bytes = chunk_bytes_of(source, key + ".chunk_bytes", kv.second["chunk_bytes"]);
        if (kv.second["levels"]) e.levels = levels_of(source, key, e.name, kv.second["levels"]);
      }
      c.algorithms.push_back(e);
    }
  }
  if (const YAML::Node t = root["tuning"]) c.tuning = tuning_of(source, t);
  return c;
}

CclConfig load_ccl_config(const std::string& path) {
  return load_ccl_text(platform::read_config_file(path, "CCL configuration"), path);
}

}  // namespace kb::runtime

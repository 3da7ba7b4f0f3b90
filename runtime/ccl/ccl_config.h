#pragma once
// configs/ccl.yaml: collective algorithms and their parameters. `defaults` is merged into
// the chosen algorithm (the algorithm's own keys win), like the seed's
// resolve_algorithm_config. Errors name file, line, column and key, as the topology's do.

#include "platform/topology/config_error.h"
#include "runtime/ccl/collective.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kb::runtime {

// One line of a collective's tuning table: its algorithm for a rank's input of at most
// `up_to` bytes (no limit when absent), as NCCL's tuner picks one by message size.
struct TuningRule {
  std::optional<std::uint64_t> up_to;
  std::string algorithm;
};
using Tuning = std::map<Collective, std::vector<TuningRule>>;

struct CclAlgorithmConfig {
  std::string algorithm;
  std::optional<std::int64_t> world_size;
  std::int64_t chunk_bytes = 16384;
  // The default algorithm's tuning table (none when an algorithm was named).
  Tuning tuning;
  // hierarchical's phase algorithm per level of the machine, innermost first (a cube's
  // ranks, a SIP's cubes, each network level): ring or rhd; a level not listed: ring. Read
  // from the hierarchical entry whichever algorithm is resolved, since a tuning table may
  // choose it.
  std::vector<std::string> levels;

  // The algorithm for `kind` on `bytes` of each rank's input: the first rule of its table
  // that covers them, else `algorithm`.
  const std::string& algorithm_for(Collective kind, std::uint64_t bytes) const;
  // Every algorithm the table may choose, `algorithm` first.
  std::vector<std::string> algorithms() const;
};

struct CclConfig {
  std::string source;
  std::string default_algorithm = "ring";
  std::optional<std::int64_t> default_world_size;
  std::int64_t default_chunk_bytes = 16384;
  struct Entry {
    std::string name;
    std::optional<std::int64_t> world_size;
    std::optional<std::int64_t> chunk_bytes;
    std::vector<std::string> levels;
  };
  std::vector<Entry> algorithms;
  Tuning tuning;

  // `name` (or the default algorithm and its tuning table when empty) with the defaults
  // merged in.
  CclAlgorithmConfig resolve(const std::string& name = "") const;
};

// Reads a ccl.yaml; the algorithms it names must be registered (ccl_algorithm_names()).
CclConfig load_ccl_config(const std::string& path);
CclConfig load_ccl_text(const std::string& yaml, const std::string& source);
// configs/ccl.yaml as compiled into the binary.
CclConfig default_ccl_config();

}  // namespace kb::runtime

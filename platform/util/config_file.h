#pragma once
// Reading a user's configuration file (topology, CCL, ...) into one YAML document, with
// every way that can go wrong reported as a ConfigError naming the file: an empty path, a
// missing file, a directory, a FIFO or device (which would block or never end), a file too
// large to be a configuration, malformed or too deeply nested YAML, and several documents
// in one file (only the first would otherwise count).

#include "platform/topology/config_error.h"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

namespace kb::platform {

// Configuration files are small; anything larger is a mistake (a trace, a VCD...).
constexpr std::uint64_t kMaxConfigFileBytes = 1 << 20;

// The text of the regular file at `path`; `what` names it in errors ("topology file").
std::string read_config_file(const std::string& path, const std::string& what);

// The one YAML document of `text` (a null node when it is empty).
YAML::Node parse_config_document(const std::string& text, const std::string& source);

// The location of `mark` in `source`, 1-based.
SourceLocation located(const std::string& source, const YAML::Mark& mark);

// Checks that `map` (at key `section`, "" for the top level) is a mapping of names, each
// in `allowed` and given once; a ConfigError otherwise, suggesting the nearest name.
void check_keys(const std::string& source, const std::string& section, const YAML::Node& map,
                const std::vector<std::string>& allowed);

}  // namespace kb::platform

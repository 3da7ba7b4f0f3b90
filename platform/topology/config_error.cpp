#include "platform/topology/config_error.h"

#include <fmt/format.h>

namespace kb::platform {

std::string SourceLocation::to_string() const {
  if (line <= 0) return source;
  return fmt::format("{}:{}:{}", source, line, column);
}

namespace {
std::string format_error(const SourceLocation& where, const std::string& key,
                         const std::string& message) {
  if (key.empty()) return fmt::format("{}: error: {}", where.to_string(), message);
  return fmt::format("{}: error: {}: {}", where.to_string(), key, message);
}
}  // namespace

ConfigError::ConfigError(SourceLocation where, std::string key, const std::string& message)
    : std::runtime_error(format_error(where, key, message)),
      where_(std::move(where)),
      key_(std::move(key)),
      message_(message) {}

}  // namespace kb::platform

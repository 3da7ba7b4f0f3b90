#pragma once
// Errors in user-supplied configuration. The message reads like a compiler diagnostic:
//   configs/x.yaml:12:5: error: cube.pe_layout.pe_per_corner: expected an integer, got 'two'
// so that editors and terminals can jump to the place.

#include <stdexcept>
#include <string>

namespace kb::platform {

struct SourceLocation {
  std::string source;  // file name, "--set KEY=VALUE", or "<embedded ...>"
  int line = 0;        // 1-based; 0 when the location has no line (a --set, a default)
  int column = 0;      // 1-based

  std::string to_string() const;
};

class ConfigError : public std::runtime_error {
 public:
  ConfigError(SourceLocation where, std::string key, const std::string& message);

  const SourceLocation& where() const { return where_; }
  const std::string& key() const { return key_; }
  const std::string& message() const { return message_; }  // without place and key

 private:
  SourceLocation where_;
  std::string key_;
  std::string message_;
};

}  // namespace kb::platform

#include "platform/util/split.h"

namespace kb::platform {

std::vector<std::string> split(std::string_view text, char by) {
  std::vector<std::string> parts;
  std::size_t from = 0;
  for (std::size_t at = text.find(by); at != std::string_view::npos; at = text.find(by, from)) {
    parts.emplace_back(text.substr(from, at - from));
    from = at + 1;
  }
  parts.emplace_back(text.substr(from));
  return parts;
}

}  // namespace kb::platform

#pragma once
// Splitting text at a separator: key paths, lists on the command line, CSV lines.

#include <string>
#include <string_view>
#include <vector>

namespace kb::platform {

// Every part of `text` between separators `by`, empty ones included ("a,,b," is "a", "",
// "b", ""); one part, `text`, when there is no separator.
std::vector<std::string> split(std::string_view text, char by);

}  // namespace kb::platform

#pragma once
// Suggestions for misspelt names (keys, bench names, parameters).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kb::platform {

// Levenshtein distance: insertions, deletions and substitutions each cost 1.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be a likely typo
// (at most max(2, |word| / 4) edits away); ties go to the earliest candidate.
std::optional<std::string> did_you_mean(std::string_view word,
                                        const std::vector<std::string>& candidates);

}  // namespace kb::platform

#pragma once
// Appends to an ordered JSON object whose keys are known to be distinct. operator[] looks
// the key up first, and an ordered object's lookup is a walk over its keys: filling a table
// of n rows that way took n^2 / 2 string comparisons (a report of 261,632 IPCQ queues spent
// minutes there).

#include <nlohmann/json.hpp>

#include <string>

namespace kb::platform {

inline nlohmann::ordered_json& append_distinct(nlohmann::ordered_json& object, std::string key,
                                               nlohmann::ordered_json value) {
  auto& entries = object.get_ref<nlohmann::ordered_json::object_t&>();
  entries.emplace_back(std::move(key), std::move(value));
  return entries.back().second;
}

// An empty ordered object with room for n keys. Growing one copies every entry, keys and
// values, because its keys are const: a table of thousands of rows should not grow.
inline nlohmann::ordered_json reserved_object(std::size_t n) {
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  object.get_ref<nlohmann::ordered_json::object_t&>().reserve(n);
  return object;
}

}  // namespace kb::platform

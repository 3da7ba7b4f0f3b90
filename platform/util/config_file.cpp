#include "platform/util/config_file.h"

#include "platform/util/did_you_mean.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/stat.h>
#include <yaml-cpp/depthguard.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace kb::platform {

SourceLocation located(const std::string& source, const YAML::Mark& mark) {
  if (mark.is_null()) return {source, 0, 0};
  return {source, mark.line + 1, mark.column + 1};
}

std::string read_config_file(const std::string& path, const std::string& what) {
  if (path.empty()) {
    throw ConfigError({"''", 0, 0}, "", "an empty path names no " + what);
  }
  auto fail = [&](const std::string& why) { return ConfigError({path, 0, 0}, "", why); };
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw fail(fmt::format("cannot read the {}: {}", what, std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) throw fail(fmt::format("is a directory, not a {}", what));
  // A FIFO would block until written to and a device may never end.
  if (!S_ISREG(st.st_mode)) throw fail(fmt::format("is not a regular file; give a {}", what));
  if (static_cast<std::uint64_t>(st.st_size) > kMaxConfigFileBytes) {
    throw fail(fmt::format("is {} bytes; a {} is at most {} bytes", st.st_size, what,
                           kMaxConfigFileBytes));
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) throw fail(fmt::format("cannot read the {}: {}", what, std::strerror(errno)));
  return text.str();
}

namespace {

bool is_marker(const std::string& line, const char* marker) {
  return line.rfind(marker, 0) == 0 &&
         (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
}

// The text's own lines, classified without parsing. yaml-cpp cannot be asked for "one
// document and no more": LoadAll loops for ever on some inputs (a lone ","), and Load reads
// the first document and ignores the rest, and also reads a lone "," as an empty document.
struct Outline {
  int second_document_line = 0;  // 1-based; 0: one document
  int first_content_line = 0;    // 1-based; 0: only blanks, comments and markers
  bool only_null = true;         // the content is at most a null scalar
};

Outline outline(const std::string& text) {
  Outline o;
  std::istringstream in(text);
  bool ended = false;  // after "..."
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    if (is_marker(line, "---") || is_marker(line, "...")) {
      if (o.first_content_line != 0 && o.second_document_line == 0 && is_marker(line, "---")) {
        o.second_document_line = number;
      }
      ended = ended || is_marker(line, "...");
      const std::string rest = line.substr(3);
      const auto more = rest.find_first_not_of(" \t\r");
      if (more == std::string::npos || rest[more] == '#') continue;  // "--- # comment"
    } else if (line[0] == '%' && o.first_content_line == 0) {
      continue;  // a directive
    }
    if (ended && o.second_document_line == 0) o.second_document_line = number;
    if (o.first_content_line == 0) o.first_content_line = number;
    std::string value = line.substr(first);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\r')) value.pop_back();
    if (value != "~" && value != "null" && value != "Null" && value != "NULL" &&
        !is_marker(line, "---")) {
      o.only_null = false;
    }
  }
  return o;
}

}  // namespace

YAML::Node parse_config_document(const std::string& text, const std::string& source) {
  const Outline o = outline(text);
  if (o.second_document_line != 0) {
    throw ConfigError({source, o.second_document_line, 1}, "",
                      "a second YAML document starts here; a configuration is one document "
                      "(remove the '---' separators)");
  }
  YAML::Node document;
  try {
    document = YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {
    throw ConfigError(located(source, e.mark), "", "nested too deeply to be a configuration");
  } catch (const YAML::Exception& e) {
    throw ConfigError(located(source, e.mark), "", "malformed YAML: " + e.msg);
  }
  if (document.IsNull() && !o.only_null) {
    throw ConfigError({source, o.first_content_line, 1}, "",
                      "malformed YAML: no value could be read from here");
  }
  return document;
}

void check_keys(const std::string& source, const std::string& section, const YAML::Node& map,
                const std::vector<std::string>& allowed) {
  if (!map.IsMap()) throw ConfigError(located(source, map.Mark()), section, "expected a mapping");
  std::vector<std::string> seen;
  for (const auto& kv : map) {
    const std::string key = kv.first.Scalar();
    if (!kv.first.IsScalar())
      throw ConfigError(located(source, kv.first.Mark()), section, "keys must be names");
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      throw ConfigError(located(source, kv.first.Mark()),
                        section.empty() ? key : section + "." + key,
                        "is given twice in the same mapping");
    }
    seen.push_back(key);
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    const auto near = did_you_mean(key, allowed);
    throw ConfigError(located(source, kv.first.Mark()), section.empty() ? key : section + "." + key,
                      fmt::format("unknown key{}; the keys here are: {}",
                                  near ? fmt::format(" (did you mean '{}'?)", *near) : "",
                                  fmt::join(allowed, ", ")));
  }
}

}  // namespace kb::platform

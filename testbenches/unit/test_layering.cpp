#define BOOST_TEST_MODULE layering
// The dependency direction of docs/architecture.md, "Layers": models <- platform <- runtime <-
// testbenches <- python. A file may include its own layer and the layers below it, never one above;
// and inside the runtime, its folders depend on each other without a cycle.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;

namespace {

constexpr std::array<const char*, 5> kLayers{"models", "platform", "runtime", "testbenches",
                                             "python"};

int layer_of(const std::string& top) {
  const auto it = std::find(kLayers.begin(), kLayers.end(), top);
  return it == kLayers.end() ? -1 : static_cast<int>(it - kLayers.begin());
}

bool is_source(const fs::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".h" || ext == ".cpp" || ext == ".in";
}

// "file:line: includes "X" from layer A, above it" for every upward include under `root`.
std::vector<std::string> upward_includes(const fs::path& root) {
  static const std::regex include(R"(^\s*#\s*include\s*"([^/"]+)/[^"]*")");
  std::vector<std::string> found;
  for (const char* layer : kLayers) {
    if (!fs::exists(root / layer)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root / layer)) {
      if (!entry.is_regular_file() || !is_source(entry.path())) continue;
      std::ifstream in(entry.path());
      std::string text;
      for (int line = 1; std::getline(in, text); ++line) {
        std::smatch m;
        if (!std::regex_search(text, m, include)) continue;
        const int target = layer_of(m[1]);
        if (target > layer_of(layer)) {
          found.push_back(fs::relative(entry.path(), root).string() + ":" + std::to_string(line) +
                          ": includes \"" + m[0].str().substr(m[0].str().find('"') + 1) +
                          " from layer '" + layer + "', which is below '" + kLayers[target] + "'");
        }
      }
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

// The include graph between the folders of `layer` (runtime/ccl -> runtime/requests ...).
std::map<std::string, std::set<std::string>> folder_graph(const fs::path& root,
                                                          const std::string& layer) {
  static const std::regex include(R"(^\s*#\s*include\s*"([^/"]+)/([^/"]+)/[^"]*")");
  std::map<std::string, std::set<std::string>> graph;
  for (const auto& entry : fs::recursive_directory_iterator(root / layer)) {
    if (!entry.is_regular_file() || !is_source(entry.path())) continue;
    const fs::path relative = fs::relative(entry.path(), root / layer);
    if (std::distance(relative.begin(), relative.end()) < 2) continue;  // not in a folder
    const std::string folder = relative.begin()->string();
    std::ifstream in(entry.path());
    for (std::string text; std::getline(in, text);) {
      std::smatch m;
      if (std::regex_search(text, m, include) && m[1] == layer && m[2] != folder) {
        graph[folder].insert(m[2]);
      }
    }
  }
  return graph;
}

// Every cycle of `graph` as "a -> b -> a", each found from its smallest folder once.
std::vector<std::string> cycles(const std::map<std::string, std::set<std::string>>& graph) {
  std::vector<std::string> found;
  std::vector<std::string> path;
  std::function<void(const std::string&)> walk = [&](const std::string& at) {
    const auto next = graph.find(at);
    if (next == graph.end()) return;
    for (const std::string& to : next->second) {
      if (to == path.front()) {
        std::string text;
        for (const std::string& f : path) text += f + " -> ";
        found.push_back(text + to);
      } else if (to > path.front() && std::find(path.begin(), path.end(), to) == path.end()) {
        path.push_back(to);
        walk(to);
        path.pop_back();
      }
    }
  };
  for (const auto& [start, unused] : graph) {
    path = {start};
    walk(start);
  }
  return found;
}

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

}  // namespace

BOOST_AUTO_TEST_CASE(no_include_in_the_tree_points_up_a_layer) {
  const char* source = std::getenv("KB_SOURCE_DIR");
  BOOST_REQUIRE_MESSAGE(source != nullptr, "KB_SOURCE_DIR is not set");
  const std::vector<std::string> found = upward_includes(source);
  for (const std::string& f : found) BOOST_ERROR(f);
  BOOST_TEST(found.empty());
}

BOOST_AUTO_TEST_CASE(an_upward_include_is_named_with_its_file_and_line) {
  const fs::path root = fs::temp_directory_path() / ("kb_layering_" + std::to_string(::getpid()));
  fs::remove_all(root);
  write(root / "models/a.h", "#pragma once\n#include \"models/b.h\"\n");
  write(root / "platform/p.cpp", "// x\n#include \"models/a.h\"\n  #include \"runtime/r.h\"\n");
  write(root / "runtime/r.h", "#include <vector>\n#include \"platform/p.h\"\n");
  write(root / "models/deep/m.cpp", "#include \"testbenches/t.h\"\n");
  const std::vector<std::string> found = upward_includes(root);
  fs::remove_all(root);
  BOOST_TEST_REQUIRE(found.size() == 2u);
  BOOST_TEST(found[0] ==
             "models/deep/m.cpp:1: includes \"testbenches/t.h\" from layer 'models', "
             "which is below 'testbenches'");
  BOOST_TEST(found[1] ==
             "platform/p.cpp:3: includes \"runtime/r.h\" from layer 'platform', "
             "which is below 'runtime'");
}

BOOST_AUTO_TEST_CASE(the_runtimes_folders_include_each_other_without_a_cycle) {
  const char* source = std::getenv("KB_SOURCE_DIR");
  BOOST_REQUIRE_MESSAGE(source != nullptr, "KB_SOURCE_DIR is not set");
  const auto graph = folder_graph(source, "runtime");
  BOOST_TEST(graph.size() > 5u);
  const std::vector<std::string> found = cycles(graph);
  for (const std::string& c : found) BOOST_ERROR("include cycle: " << c);
}

BOOST_AUTO_TEST_CASE(a_cycle_between_folders_is_named) {
  const fs::path root = fs::temp_directory_path() / ("kb_cycles_" + std::to_string(::getpid()));
  fs::remove_all(root);
  write(root / "runtime/a/x.h", "#include \"runtime/b/y.h\"\n");
  write(root / "runtime/b/y.cpp", "#include \"runtime/c/z.h\"\n#include \"runtime/b/w.h\"\n");
  write(root / "runtime/c/z.h", "#include \"runtime/a/x.h\"\n#include \"models/m.h\"\n");
  write(root / "runtime/d/v.h", "#include \"runtime/a/x.h\"\n");
  const std::vector<std::string> found = cycles(folder_graph(root, "runtime"));
  fs::remove_all(root);
  BOOST_TEST_REQUIRE(found.size() == 1u);
  BOOST_TEST(found[0] == "a -> b -> c -> a");
}

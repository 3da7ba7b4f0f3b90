#pragma once
// Running the kernbench binary (KERNBENCH) from a test, and reading what it wrote.

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace kb::test {

inline std::string env(const char* name) {
  const char* v = std::getenv(name);
  BOOST_REQUIRE_MESSAGE(v != nullptr, name << " must be set");
  return v;
}

struct Result {
  int code;
  std::string output;
};

// Runs kernbench with `args`, after the shell commands `shell` (e.g. "ulimit -v 100000; ");
// stdout and stderr together.
inline Result kernbench(const std::string& args, const std::string& shell = "") {
  const std::string log = "kernbench_output.txt";
  const std::string command = shell + env("KERNBENCH") + " " + args + " > " + log + " 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
}

inline nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  BOOST_REQUIRE_MESSAGE(in, "no " << path);
  return nlohmann::json::parse(in);
}

// configs/ of the source tree (KB_SOURCE_DIR), with a trailing slash.
inline std::string configs() { return env("KB_SOURCE_DIR") + "/configs/"; }

// Options for two SIPs of a 2 x 2 mesh of two-PE cubes (tiny.yaml widened): small, yet
// every kind of component and path exists (mesh and inter-SIP links among them).
inline std::string two_sip_tiny() {
  return " --set system.sips.count=2 --set sip.cube_mesh.w=2 --topology " + configs() + "tiny.yaml";
}

// What to --set after two_sip_tiny() for topology key `path` to describe its machine: for
// a network level's key the levels up to it, 2 SIPs each, its own on links slow enough to
// bind (1 GB/s), and their product as the SIP count; nothing for any other key. No machine
// (nullopt) for levels above 1: the same rows as 0 and 1 (one loop builds them), their routes
// sim.fabric_routes'.
inline std::optional<std::string> machine_for(const std::string& path) {
  const std::string levels = "system.inter_sip.levels.";
  if (path.rfind(levels, 0) != 0) return "";
  const int level = std::stoi(path.substr(levels.size()));
  if (level > 1) return std::nullopt;
  std::string set = " --set system.sips.count=" + std::to_string(2 << level);
  for (int l = 0; l <= level; ++l) set += " --set " + levels + std::to_string(l) + ".size=2";
  return set + " --set " + levels + std::to_string(level) + ".link.bw_gbps=1";
}

}  // namespace kb::test

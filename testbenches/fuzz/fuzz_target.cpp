#include "testbenches/fuzz/fuzz_target.h"

#include "platform/topology/config_error.h"
#include "platform/topology/loader.h"
#include "runtime/ccl/ccl_config.h"
#include "testbenches/benches/bench.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <vector>

namespace kb::fuzz {

namespace {

// Command-line arguments, one per line; an argument cannot hold a NUL, so it ends one too.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  for (const char c : text + '\n') {
    if (c != '\n' && c != '\0') {
      line += c;
    } else if (!line.empty()) {
      lines.push_back(std::move(line));
      line.clear();
    }
  }
  return lines;
}

// The shape of a diagnostic: its words that do not come from the input, numbers blanked,
// so that inputs differing only in a name or a value count as one outcome.
std::string shape_of(const std::string& message, const std::string& input) {
  std::istringstream words(message);
  std::string shape;
  int n = 0;
  for (std::string w; n < 6 && words >> w;) {
    auto punct = [](char c) { return std::ispunct(static_cast<unsigned char>(c)) != 0; };
    const auto first = std::find_if_not(w.begin(), w.end(), punct);
    const auto last = std::find_if_not(w.rbegin(), w.rend(), punct).base();
    const std::string bare = first < last ? std::string(first, last) : std::string();
    // Long words are paths and names built from the input, not the message's own.
    if (bare.empty() || bare.size() > 24 || input.find(bare) != std::string::npos) continue;
    for (char& c : w) {
      if (std::isdigit(static_cast<unsigned char>(c)) != 0) c = '#';
    }
    shape += (shape.empty() ? "" : " ") + w;
    ++n;
  }
  return shape;
}

void run_params(const std::string& bench_name, const std::vector<std::string>& given) {
  const bench::Bench& bench = bench::find_bench(bench_name);
  const bench::Params params(bench.name(), bench.params(), given);
  bench.check(params, platform::load_default_topology());
}

// The input as a file of its own (the model and trace readers take paths), written whole.
std::string as_file(const std::string& name, const std::string& content) {
  std::ofstream(name, std::ios::binary | std::ios::trunc) << content;
  return name;
}

// A model file: loaded, then one decoder layer of it checked as the llm bench does.
void run_model(const std::string& yaml) {
  run_params("llm", {"model=" + as_file("fuzz-model.yaml", yaml), "layers=1"});
}

// A Chakra trace of one rank: read, planned and its buffers placed (the chakra bench).
void run_trace(const std::string& bytes) {
  as_file("fuzz-trace.0.et", bytes);
  run_params("chakra", {"trace=fuzz-trace"});
}

void run(const std::string& text) {
  const auto newline = text.find('\n');
  const std::string head = text.substr(0, newline);
  const std::string body = newline == std::string::npos ? "" : text.substr(newline + 1);
  if (head == "topology") {
    platform::load_topology_text(body, "fuzz.yaml");
  } else if (head == "ccl") {
    runtime::load_ccl_text(body, "fuzz_ccl.yaml");
  } else if (head == "set") {
    platform::load_default_topology(lines_of(body));
  } else if (head.rfind("param ", 0) == 0) {
    run_params(head.substr(6), lines_of(body));
  } else if (head == "model") {
    run_model(body);
  } else if (head == "trace") {
    run_trace(body);
  } else {
    // A mutated header: the whole input goes to one of the six by its first byte.
    switch (text.empty() ? 0 : static_cast<unsigned char>(text[0]) % 6) {
      case 0: platform::load_topology_text(text, "fuzz.yaml"); break;
      case 1: runtime::load_ccl_text(text, "fuzz_ccl.yaml"); break;
      case 2: platform::load_default_topology(lines_of(text)); break;
      case 3: run_model(text); break;
      case 4: run_trace(text); break;
      default: run_params("gemm", lines_of(text));
    }
  }
}

}  // namespace

std::string run_input(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    run(text);
    return "ok";
  } catch (const platform::ConfigError& e) {
    return "config: " + shape_of(e.message(), text);
  } catch (const bench::BenchUsageError& e) {
    return "usage: " + shape_of(e.what(), text);
  }
  // Anything else escapes: the caller treats it as a finding.
}

}  // namespace kb::fuzz

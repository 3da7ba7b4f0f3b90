// fuzz_config: replays a corpus through the configuration fuzz target, or mutates it for a
// while, deterministically from a seed (docs/fuzzing.md).
//
//   fuzz_config [--print] DIR...                        replay every file (and its outcome)
//   fuzz_config --mutate --seconds S --seed N DIR [--save DIR2]
//
// Before each input the driver writes it to `fuzz-current-input`: after a crash, an
// uncaught exception or the per-input alarm (a hang), that file reproduces it. Inputs with
// an outcome not seen before (an error message of a new shape) are saved to DIR2.
#include "testbenches/fuzz/fuzz_target.h"

#include <systemc>

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

constexpr unsigned kAlarmSeconds = 10;  // an input taking longer is a hang

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string run_one(const std::string& input) {
  std::ofstream("fuzz-current-input", std::ios::binary) << input;
  ::alarm(kAlarmSeconds);
  const std::string outcome =
      kb::fuzz::run_input(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
  ::alarm(0);
  return outcome;
}

std::vector<fs::path> corpus_files(const std::vector<std::string>& dirs) {
  std::vector<fs::path> files;
  for (const std::string& dir : dirs) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Tokens the parsers meet: structure, numbers at the edges, schema and model words, and
// protobuf varints at their edges for traces.
const std::vector<std::string> kDictionary = {
    "\n", ": ", "{", "}", "[", "]", ",", "---\n", "- ", ".", "=", "#", "&a ", "*a", "!!int ", "0",
    "-1", "1e308", "1e-308", "nan", "inf", "9223372036854775807", "18446744073709551616", "4096",
    "0x10", "1.5", "K", "M", "G", "~", "''", "\"\\u0000\"", "system", "sips", "count", "sip",
    "cube_mesh", "w", "h", "cube", "pe_layout", "corners", "pe_per_corner", "NW", "memory_map",
    "hbm_total_gb_per_cube", "page_size", "depth", "entry_bytes", "freq_ghz", "bw_gbps",
    "latency_ns", "defaults", "algorithms", "ring", "rhd", "world_size", "chunk_bytes",
    "M=", "N=", "K=", "dtype=", "i8", "f16", "algorithm=", "bytes=", "ccl=",
    "cube.pe_template.components.pe_ipcq.attrs.depth=", "system.sips.count=", "hidden_size",
    "num_attention_heads", "num_key_value_heads", "intermediate_size", "num_hidden_layers",
    "vocab_size", "hidden_act", "silu", "rms_norm_eps", "rope_theta", "bf16",
    // Protobuf varints at their edges (traces).
    std::string("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 10),
    std::string("\xff\xff\xff\xff\x0f", 5), std::string("\x00", 1)};

std::string mutate(std::string s, const std::vector<std::string>& corpus, std::mt19937_64& rng) {
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n)(rng); };
  const int steps = 1 + static_cast<int>(pick(3));
  for (int i = 0; i < steps; ++i) {
    const std::size_t at = s.empty() ? 0 : pick(s.size());
    switch (pick(5)) {
      case 0:  // flip a byte
        if (!s.empty()) s[std::min(at, s.size() - 1)] ^= static_cast<char>(1 + pick(254));
        break;
      case 1:  // delete a run
        if (!s.empty()) s.erase(std::min(at, s.size() - 1), 1 + pick(8));
        break;
      case 2:  // insert a token
        s.insert(at, kDictionary[pick(kDictionary.size() - 1)]);
        break;
      case 3: {  // duplicate a run (deep nesting, repeated keys)
        const std::string run = s.substr(at, 1 + pick(32));
        s.insert(at, run + run);
        break;
      }
      case 4: {  // splice in a piece of another input
        const std::string& other = corpus[pick(corpus.size() - 1)];
        const std::size_t from = other.empty() ? 0 : pick(other.size() - 1);
        s.insert(at, other.substr(from, 1 + pick(64)));
        break;
      }
      default:  // replace a digit run by an edge value
        s.insert(at, pick(1) ? "99999999999999999999" : "-0.0");
    }
  }
  return s.substr(0, 1 << 16);
}

int replay(const std::vector<std::string>& dirs, bool print) {
  std::size_t n = 0;
  for (const fs::path& file : corpus_files(dirs)) {
    const std::string outcome = run_one(read(file));
    if (print) fmt::print("{}: {}\n", file.filename().string(), outcome);
    ++n;
  }
  fmt::print("replayed {} inputs without a finding\n", n);
  return n == 0 ? 1 : 0;
}

int mutate_for(double seconds, std::uint64_t seed, const std::vector<std::string>& dirs,
               const std::string& save) {
  std::vector<std::string> corpus;
  for (const fs::path& file : corpus_files(dirs)) corpus.push_back(read(file));
  if (corpus.empty()) corpus.emplace_back("topology\n");
  std::set<std::string> outcomes;
  for (const std::string& input : corpus) outcomes.insert(run_one(input));
  std::mt19937_64 rng(seed);
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t runs = 0, saved = 0;
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  while (elapsed() < seconds) {
    const std::string& parent =
        corpus[std::uniform_int_distribution<std::size_t>(0, corpus.size() - 1)(rng)];
    std::string child = mutate(parent, corpus, rng);
    ++runs;
    if (!outcomes.insert(run_one(child)).second) continue;
    corpus.push_back(child);
    if (!save.empty()) {
      std::ofstream(fs::path(save) / fmt::format("seed{}-{:06}", seed, saved), std::ios::binary)
          << child;
    }
    ++saved;
    if (saved % 50 == 0) {
      fmt::print(stderr, "[fuzz] {:.0f} s: {} inputs, {} outcomes\n", elapsed(), runs,
                 outcomes.size());
    }
  }
  fmt::print("{} inputs in {:.0f} s ({:.0f}/s), {} distinct outcomes, {} new inputs, no finding\n",
             runs, elapsed(), static_cast<double>(runs) / elapsed(), outcomes.size(), saved);
  return 0;
}

}  // namespace

// The benches link SystemC, whose library calls sc_main; entering through it like any
// SystemC program keeps its banner off.
int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}

int sc_main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc), dirs;
  bool mutate_mode = false, print = false;
  double seconds = 60;
  std::uint64_t seed = 1;
  std::string save;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    if (args[i] == "--mutate") {
      mutate_mode = true;
    } else if (args[i] == "--print") {
      print = true;
    } else if (args[i] == "--seconds" && has_value) {
      seconds = std::stod(args[++i]);
    } else if (args[i] == "--seed" && has_value) {
      seed = std::stoull(args[++i]);
    } else if (args[i] == "--save" && has_value) {
      save = args[++i];
    } else if (args[i].rfind("--", 0) == 0) {
      fmt::print(
          stderr,
          "usage: fuzz_config [--print] [--mutate --seconds S --seed N --save DIR] DIR...\n");
      return 2;
    } else {
      dirs.push_back(args[i]);
    }
  }
  if (dirs.empty()) {
    fmt::print(stderr, "fuzz_config: give a corpus directory\n");
    return 2;
  }
  return mutate_mode ? mutate_for(seconds, seed, dirs, save) : replay(dirs, print);
}

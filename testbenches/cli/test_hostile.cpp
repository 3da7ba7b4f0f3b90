// Hostile input: files that are not configurations, extreme and contradictory values,
// parameters that overflow or do not divide, output paths that cannot be written, shallow
// IPCQs and integer collectives. Nothing may crash, hang or pass silently: usage errors are
// exit 2 before any simulation, every legal configuration runs and verifies.
#define BOOST_TEST_MODULE hostile
#include "platform/topology/schema.h"
#include "testbenches/cli/kernbench_process.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <vector>

using kb::platform::FieldKind;
using kb::platform::FieldSpec;
using kb::test::configs;
using kb::test::kernbench;
using kb::test::read_json;
using kb::test::Result;

namespace {

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A usage error: exit 2, the message holds `expected`, and nothing was simulated.
void usage_error(const std::string& args, const std::string& expected) {
  const Result r = kernbench(args);
  BOOST_TEST(r.code == 2, args << "\n" << r.output);
  BOOST_TEST(r.output.find(expected) != std::string::npos, args << "\n" << r.output);
  for (const char* crash : {"terminate called", "Segmentation", "Aborted", "simulated"}) {
    BOOST_TEST(r.output.find(crash) == std::string::npos, args << "\n" << r.output);
  }
}

// The tiny machine (4 PEs), as topology arguments.
std::string tiny() { return " --topology " + configs() + "tiny.yaml"; }

// A staged file left in the test's directory (".NAME.PID.tmp.EXT").
bool temporary_files_left() {
  for (const auto& entry : std::filesystem::directory_iterator(".")) {
    if (entry.path().filename().string().find(".tmp") != std::string::npos) return true;
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(files_that_are_not_one_configuration_are_usage_errors) {
  ::mkdir("a_directory", 0755);
  ::unlink("a_fifo");
  BOOST_REQUIRE(::mkfifo("a_fifo", 0644) == 0);  // reading it would block for ever
  write("two_documents.yaml", "system: {sips: {count: 2}}\n---\nsystem: {sips: {count: 4}}\n");
  write("dotted.yaml", "system.sips.count: 2\nsystem: {sips: {count: 4}}\n");
  write("huge.yaml", "# " + std::string(2 << 20, 'x') + "\n");
  write("deep.yaml", "a: " + std::string(5000, '[') + "\n");
  for (const char* command : {"topology validate ", "run vector_add --topology "}) {
    usage_error(std::string(command) + "a_directory", "a_directory: error: is a directory");
    usage_error(std::string(command) + "a_fifo", "a_fifo: error: is not a regular file");
    usage_error(std::string(command) + "/dev/zero", "/dev/zero: error: is not a regular file");
    usage_error(std::string(command) + "''", "an empty path names no topology file");
    usage_error(std::string(command) + "two_documents.yaml",
                "two_documents.yaml:2:1: error: a second YAML document starts here");
    usage_error(std::string(command) + "dotted.yaml",
                "dotted.yaml:1:1: error: system.sips.count: a dotted key is not a path");
    usage_error(std::string(command) + "huge.yaml",
                "huge.yaml: error: is 2097155 bytes; a topology file is at "
                "most 1048576");
    usage_error(std::string(command) + "deep.yaml", "nested too deeply to be a configuration");
  }
  // The CCL configuration is read the same way, before the run.
  usage_error("run allreduce --param ccl=a_fifo" + tiny(), "a_fifo: error: is not a regular file");
  usage_error("run allreduce --param ccl=two_documents.yaml" + tiny(),
              "a second YAML document starts here");
  write("ccl_twice.yaml", "defaults: {chunk_bytes: 4096, chunk_bytes: 8192}\n");
  usage_error("run allreduce --param ccl=ccl_twice.yaml" + tiny(), "is given twice");
}

// Every number at its range's ends is accepted by validate exactly when elaborate builds
// it; just outside is refused by both, naming the key.
BOOST_AUTO_TEST_CASE(what_validates_elaborates_at_every_range_end) {
  for (const FieldSpec& f : kb::platform::topology_schema()) {
    if (f.kind != FieldKind::integer && f.kind != FieldKind::real &&
        f.kind != FieldKind::optional_integer) {
      continue;
    }
    BOOST_TEST_CONTEXT(f.path) {
      BOOST_TEST(f.max != 0.0, "every number has a physical maximum");
      const double below = f.min_exclusive ? f.min : f.min - (f.kind == FieldKind::real ? 1e-3 : 1);
      const double above = f.max * 2;
      for (const double v : {f.min_exclusive ? f.min + 1e-3 : f.min, f.max, below, above}) {
        const std::string value =
            f.kind == FieldKind::real ? fmt::format("{}", v) : fmt::format("{}", std::llround(v));
        const std::string set = fmt::format(" --set {}={}", f.path, value);
        const Result validate = kernbench("topology validate " + configs() + "tiny.yaml" + set);
        const Result elaborate = kernbench("elaborate " + configs() + "tiny.yaml" + set);
        BOOST_TEST(validate.code == elaborate.code, set << "\n" << elaborate.output);
        BOOST_TEST((validate.code == 0 || validate.code == 2), set << "\n" << validate.output);
        if (v == below || v == above) {
          BOOST_TEST(validate.code == 2, set);
          BOOST_TEST(validate.output.find(f.path) != std::string::npos, validate.output);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_contradiction_with_a_default_names_the_key_written) {
  write("page.yaml",
        "cube:\n  pe_template:\n    components:\n      pe_mmu:\n        attrs:\n"
        "          page_size: 8388608\n");
  usage_error("topology validate page.yaml",
              "page.yaml:6:11: error: cube.pe_template.components.pe_mmu.attrs.page_size: "
              "conflicts with the default cube.pe_template.components.pe_tcm.attrs");
  usage_error("topology show --set cube.pe_template.components.pe_mmu.attrs.page_size=1073741824",
              "--set cube.pe_template.components.pe_mmu.attrs.page_size=1073741824: error");
  usage_error("elaborate --set system.sips.count=128 --set cube.pe_layout.pe_per_corner=33",
              "at most 262144 are modelled");
}

BOOST_AUTO_TEST_CASE(bench_parameters_are_checked_before_the_run) {
  usage_error("run vector_add --param elements=18014398509481988K", "does not fit 64 bits");
  usage_error("run vector_add --param elements=1000000000000", "the runtime's address space holds");
  usage_error("run gemm --param M=4611686018427387904 --param N=4 --param K=4",
              "needs more than 2^64 bytes");  // said as such, not as a wrapped count
  usage_error("run vector_add --param elements=1000", "1000 is not a multiple of 16");
  usage_error("run gemm --param M=1000", "tensor A (--param M=1000 K=1024) (1000 x 1024)");
  // A size too large is named as the parameter it comes from.
  usage_error("run vector_add --param elements=9223372036854775807",
              "tensor x (--param elements=9223372036854775807) of");
  usage_error("run softmax --param cols=9223372036854775807",
              "tensor x (--param rows=4096 cols=9223372036854775807) of");
  usage_error("run allreduce --param bytes=9223372036854771712",
              "tensor in (--param bytes=9223372036854771712) of");
  // Tensors that each fit a PE's part of HBM but together do not: refused before the run.
  usage_error("run vector_add --param elements=209715200" + tiny(),
              "the run's tensors need 629145600 bytes of HBM on sip0.cube0.pe0, whose part of "
              "its HBM slice holds 536870912");
  usage_error("run gemm --param dtype=f64", "expected a dtype");
  usage_error("run gemm --param dtype=i8 --param out=f16", "i8 into i32");
  usage_error("run softmax --param dtype=i8", "softmax takes f32 or f16");
  usage_error("run layernorm --param rows=100", "100 is not a multiple of 16");
  usage_error("run memcpy --param bytes=4096", "1 is not a multiple of 16");
  usage_error("run allgather --param bytes=100", "must be a multiple of 512");
  usage_error("run allreduce --param algorithm=nope", "no algorithm 'nope'");
  usage_error("run allreduce --param ccl=/nonexistent.yaml", "/nonexistent.yaml: error");
  usage_error("run allreduce --param algorithm=rhd --set sip.cube_mesh.w=3",
              "rhd needs a power-of-two world size, not 96");
}

BOOST_AUTO_TEST_CASE(output_paths_are_checked_before_the_run_and_written_whole) {
  for (const char* option : {"--report", "--timeline", "--vcd"}) {
    usage_error(fmt::format("run vector_add --timing-only {} /nonexistent/out.vcd", option),
                "its directory /nonexistent does not exist");
    usage_error(fmt::format("run vector_add --timing-only {} .", option), "is a directory");
  }
  usage_error("run vector_add --timing-only --vcd waves.txt", "must end in .vcd");
  usage_error("run vector_add --timing-only --report a.json --timeline a.json",
              "--report and --timeline both write");
  // A write that fails leaves a non-zero exit; standard output too.
  const Result full = kernbench("run vector_add --timing-only --quiet --report /dev/full");
  BOOST_TEST(full.code == 3, full.output);
  BOOST_TEST(full.output.find("cannot write /dev/full") != std::string::npos, full.output);
  const int stdout_full = std::system(
      (kb::test::env("KERNBENCH") + " run vector_add --timing-only --quiet > /dev/full 2>/dev/null")
          .c_str());
  BOOST_TEST(WEXITSTATUS(stdout_full) == 3);
  // A reader that stops early (the map is 500 KB, more than a pipe holds): an error, not a
  // death by SIGPIPE.
  const int closed =
      std::system(("(" + kb::test::env("KERNBENCH") +
                   " topology addrmap --set system.sips.count=16; echo $? > list_status.txt) | "
                   "head -c 1 > /dev/null")
                      .c_str());
  BOOST_TEST(closed == 0);
  BOOST_TEST(std::stoi(read("list_status.txt")) == 3);
  // A good run replaces the previous report whole and leaves no temporary file behind.
  write("report.json", "previous");
  BOOST_REQUIRE(kernbench("run vector_add --timing-only --quiet --report report.json").code == 0);
  BOOST_TEST(read_json("report.json").contains("sim_time_ns"));
  BOOST_TEST(!temporary_files_left());
  // A file-size limit (8 KiB: the summary fits, the report does not) is a write error
  // naming the file, not a death by SIGXFSZ, and no staging file stays behind.
  const int limited = std::system(("(ulimit -f 8; exec " + kb::test::env("KERNBENCH") +
                                   " run vector_add --timing-only --quiet --report big.json) "
                                   "> limited.txt 2>&1")
                                      .c_str());
  BOOST_TEST(WIFEXITED(limited));
  BOOST_TEST(WEXITSTATUS(limited) == 3);
  BOOST_TEST(read("limited.txt").find("cannot write big.json: File too large") != std::string::npos,
             read("limited.txt"));
  BOOST_TEST(!temporary_files_left());
}

BOOST_AUTO_TEST_CASE(standard_output_holds_only_the_summary) {
  const std::string command = kb::test::env("KERNBENCH") +
                              " run vector_add --param elements=64K --quiet --vcd w.vcd" + tiny() +
                              " > stdout.txt 2> stderr.txt";
  BOOST_REQUIRE(std::system(command.c_str()) == 0);
  const std::string out = read("stdout.txt");
  BOOST_TEST(out.rfind("bench ", 0) == 0, out);
  BOOST_TEST(out.find("Info") == std::string::npos, out);
  BOOST_TEST(out.find("SystemC") == std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(an_interrupted_run_leaves_no_partial_file) {
  ::unlink("waves.vcd");
  // Ctrl-C after a second of a run that takes several.
  const std::string command =
      "timeout --preserve-status -s INT 1 " + kb::test::env("KERNBENCH") +
      " run allreduce --param bytes=16M --timing-only --quiet"
      " --vcd waves.vcd --report interrupted.json > /dev/null 2>&1; echo $? > status.txt";
  std::system(command.c_str());
  BOOST_TEST(std::stoi(read("status.txt")) == 128 + SIGINT);
  BOOST_TEST(::access("waves.vcd", F_OK) != 0);
  BOOST_TEST(::access("interrupted.json", F_OK) != 0);
  BOOST_TEST(!temporary_files_left());
}

// Every algorithm on every collective it supports, with the shallowest queues and the
// smallest entries, on one SIP and on two.
BOOST_AUTO_TEST_CASE(every_collective_runs_on_every_legal_ipcq) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> algorithms = {
      {"ring", {"allreduce", "allgather", "reduce_scatter", "broadcast"}},
      {"rhd", {"allreduce", "allgather", "reduce_scatter"}},
      {"binomial_tree", {"allreduce", "broadcast"}},
      {"hierarchical", {"allreduce"}},
      {"direct", {"broadcast"}}};
  for (const std::string& machine : {tiny(), tiny() + " --set system.sips.count=2"}) {
    for (const auto& [algorithm, benches] : algorithms) {
      for (const std::string& bench : benches) {
        for (const int depth : {1, 2, 3}) {
          for (const int entry : {4, 64}) {
            const std::string args = fmt::format(
                "run {} --param algorithm={} --param bytes=4K --quiet{} "
                "--set cube.pe_template.components.pe_ipcq.attrs.depth={} "
                "--set cube.pe_template.components.pe_ipcq.attrs.entry_bytes={}",
                bench, algorithm, machine, depth, entry);
            const Result r = kernbench(args);
            BOOST_TEST(r.code == 0, args << "\n" << r.output);
          }
        }
      }
    }
  }
  usage_error("run allreduce --set cube.pe_template.components.pe_ipcq.attrs.entry_bytes=2",
              "an integer from 4 to");
}

// Small integers summed over 16 ranks wrap in 8 bits; device and reference agree.
BOOST_AUTO_TEST_CASE(integer_all_reduce_wraps_on_device_and_in_the_reference) {
  for (const char* dtype : {"i8", "u8", "i16", "u16", "i32"}) {
    const std::string args = fmt::format(
        "run allreduce --param dtype={} --param bytes=1K --quiet --report r.json{} "
        "--set system.sips.count=2 --set sip.cube_mesh.w=2 "
        "--set cube.pe_layout.pe_per_corner=2",
        dtype, tiny());
    const Result r = kernbench(args);
    BOOST_TEST(r.code == 0, args << "\n" << r.output);
    BOOST_TEST(read_json("r.json")["verify"]["ok"].get<bool>());
  }
}

BOOST_AUTO_TEST_CASE(host_memory_running_out_is_said_as_such_at_every_limit) {
  // Under an address-space limit a run either fits, or stops with exit 3 saying that host
  // memory ran out (before elaborating when the estimate shows it, else when it happens):
  // never std::bad_alloc, a SystemC stack error or a signal.
  std::size_t refused = 0;
  for (const char* kib : {"100000", "130000", "200000", "400000", "2000000"}) {
    for (const char* run : {"run vector_add --param elements=16M --quiet",
                            "run vector_add --param elements=16M --timing-only --quiet"}) {
      const Result r = kernbench(run, "ulimit -v " + std::string(kib) + "; ");
      const std::string what = std::string("ulimit -v ") + kib + ": " + run + "\n" + r.output;
      BOOST_TEST((r.code == 0 || r.code == 3), what);
      if (r.code == 3) {
        ++refused;
        BOOST_TEST(
            (r.output.find("host memory ran out") != std::string::npos ||
             r.output.find("allowed by the address-space limit (ulimit -v)") != std::string::npos),
            what);
      }
      BOOST_TEST(r.output.find("bad_alloc") == std::string::npos, what);
      BOOST_TEST(r.output.find("E518") == std::string::npos, what);
    }
  }
  BOOST_TEST(refused >= 4u);
}

BOOST_AUTO_TEST_CASE(a_run_whose_values_cannot_fit_in_host_memory_runs_timing_only) {
  // 48 GiB of tensors kept several times over: more than any test machine has. The time
  // needs none of them, so the run goes on timing-only and says why, on stderr and in the
  // report.
  const Result r = kernbench("run vector_add --param elements=4G --report big.json --quiet");
  BOOST_TEST(r.code == 0, r.output);
  BOOST_TEST(r.output.find("running timing-only, values unverified") != std::string::npos,
             r.output);
  const nlohmann::json report = read_json("big.json");
  BOOST_TEST(report["timing_only"].get<bool>());
  BOOST_TEST(report["verify"]["skipped"].get<bool>());
  BOOST_TEST(report["verify"]["because"].get<std::string>().find("GiB of host memory") !=
             std::string::npos);
}

// The serve bench end to end (docs/serving.md): at low load a request's TTFT is the llm
// bench's prefill step of its prompt and its TPOT the batch-1 decode step; at saturation
// the throughput is the full batch's step throughput; Little's law holds; the step grid
// stays within 2 % of simulating every shape; traces in the Azure format read as is, bad
// ones are usage errors naming file and line; a request that can never fit is refused with
// a message; the per-request CSV and the timeline show every request.
#define BOOST_TEST_MODULE serve
#include "testbenches/cli/kernbench_process.h"

#include <fstream>
#include <map>

using kb::test::configs;
using kb::test::kernbench;
using kb::test::read_json;
using kb::test::Result;

namespace {

// The four-PE machine: each step simulates in a fraction of the default one's time.
std::string tiny() { return "--topology " + configs() + "tiny.yaml "; }

std::string write(const std::string& name, const std::string& text) {
  std::ofstream(name) << text;
  return name;
}

nlohmann::json serve(const std::string& args) {
  const Result r = kernbench("run serve " + args + " --quiet --report serve.json");
  BOOST_REQUIRE_MESSAGE(r.code == 0, args << "\n" << r.output);
  return read_json("serve.json")["serve"];
}

double llm_step_ns(const std::string& args) {
  const Result r = kernbench("run llm --timing-only " + args + " --quiet --report llm.json");
  BOOST_REQUIRE_MESSAGE(r.code == 0, args << "\n" << r.output);
  const nlohmann::json l = read_json("llm.json")["llm"];
  return l.contains("ttft_ns") ? l["ttft_ns"].get<double>() : l["tpot_ns"].get<double>();
}

// `n` requests `gap` seconds apart, each of `prompt` and `output` tokens.
std::string spaced_trace(int n, double gap, int prompt, int output) {
  std::string csv = "arrival_s,prompt_tokens,output_tokens\n";
  for (int i = 0; i < n; ++i)
    csv += std::to_string(gap * i) + "," + std::to_string(prompt) + "," + std::to_string(output) +
           "\n";
  return write("spaced.csv", csv);
}

}  // namespace

BOOST_AUTO_TEST_CASE(at_low_load_ttft_and_tpot_are_the_llm_steps) {
  // Every shape simulated (no grid), one of two layers simulated and the other taken as
  // the same: the llm bench runs both.
  for (const std::string& machine :
       {" " + tiny(), " --topology " + configs() + "multi_sip.yaml --set system.sips.count=2"}) {
    // 128 tokens: a prompt that divides over the PEs runs unpadded.
    const nlohmann::json s =
        serve("--param trace=" + spaced_trace(4, 1.0, 128, 9) + " --param step_grid=0" + machine);
    BOOST_TEST(s["completed"].get<int>() == 4);
    const double prefill =
        llm_step_ns("--param phase=prefill --param batch=1 --param seq=128" + machine);
    // Its 8 decodes see 128..135 cached tokens: the middle one's step is their mean.
    const double decode = llm_step_ns("--param batch=1 --param seq=132" + machine);
    BOOST_TEST(s["ttft_ms"]["p50"].get<double>() * 1e6 == prefill,
               boost::test_tools::tolerance(0.02));
    BOOST_TEST(s["tpot_ms"]["mean"].get<double>() * 1e6 == decode,
               boost::test_tools::tolerance(0.02));
    BOOST_TEST(s["queue_ms"]["max"].get<double>() == 0.0);
  }
}

BOOST_AUTO_TEST_CASE(at_saturation_throughput_is_the_full_batchs) {
  // 32 requests at once, 8 at a time: the batch is full but for 4 prefills.
  const nlohmann::json s = serve(tiny() +
                                 "--param rate=100000.0 --param requests=32 --param max_seqs=8 "
                                 "--param prompt_tokens=16 --param output_tokens=400");
  const double step = llm_step_ns(tiny() + "--param batch=8 --param seq=216");
  BOOST_TEST(s["batch"]["max"].get<int>() == 8);
  BOOST_TEST(s["output_tokens_per_s"].get<double>() == 8 / (step * 1e-9),
             boost::test_tools::tolerance(0.02));
}

BOOST_AUTO_TEST_CASE(littles_law_holds_and_every_request_is_written_out) {
  const nlohmann::json s =
      serve(tiny() +
            "--param rate=3000.0 --param requests=200 --param prompt_tokens=lognormal:64:0.7 "
            "--param output_tokens=uniform:4:40 --param scheduler=sarathi --param chunk=128 "
            "--param requests_out=requests.csv --timeline t.json");
  BOOST_TEST(s["completed"].get<int>() == 200);
  BOOST_TEST(s["in_flight_mean"].get<double>() > 1.0);  // a queue formed
  BOOST_TEST(s["in_flight_mean"].get<double>() == s["little_in_flight"].get<double>(),
             boost::test_tools::tolerance(0.02));
  std::ifstream csv("requests.csv");
  std::string line;
  int rows = 0;
  while (std::getline(csv, line)) ++rows;
  BOOST_TEST(rows == 201);
  const nlohmann::json t = read_json("t.json");
  std::map<std::string, int> tracks;
  for (const auto& e : t["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name")
      ++tracks[e["args"]["name"].get<std::string>()];
  }
  BOOST_TEST(tracks.count("serve.request 199") == 1U);
  BOOST_TEST(tracks.count("serve.batch") == 1U);
  BOOST_TEST(tracks.count("serve.kv_cache") == 1U);
}

BOOST_AUTO_TEST_CASE(the_step_grid_stays_within_two_percent_of_every_shape_simulated) {
  // Decode contexts and chunk pasts between grid points, each checked against its own
  // simulation after the run.
  const nlohmann::json s =
      serve(tiny() +
            "--param rate=2000.0 --param requests=60 --param prompt_tokens=uniform:40:300 "
            "--param output_tokens=uniform:5:40 --param scheduler=sarathi --param chunk=64 "
            "--param step_check=12");
  const nlohmann::json& check = s["steps"]["check"];
  BOOST_TEST(check["shapes"].get<int>() == 12);
  BOOST_TEST(check["max_abs_error"].get<double>() <= 0.02, check.dump(1));
  bool prefill = false, decode = false;
  for (const auto& c : check["each"]) {
    const std::string shape = c["shape"].get<std::string>();
    prefill |= shape.find("prefill") == 0;
    decode |= shape.find("decode") == 0;
    BOOST_TEST(c["interpolated_ns"].get<double>() != c["simulated_ns"].get<double>(), shape);
  }
  BOOST_TEST(prefill);
  BOOST_TEST(decode);
  const nlohmann::json exact = serve(tiny() + "--param trace=" + spaced_trace(2, 1.0, 50, 20) +
                                     " --param step_grid=0 --param step_check=5");
  BOOST_TEST(!exact["steps"].contains("check"));  // nothing between grid points
}

BOOST_AUTO_TEST_CASE(traces_in_the_azure_format_run_and_bad_ones_say_where) {
  const std::string azure =
      write("azure.csv",
            "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,74,4\n"
            "2023-11-16 18:15:46.6905900,96,9\n2023-11-16 18:15:46.7000000,79,2\n");
  BOOST_TEST(serve("--param trace=" + azure)["completed"].get<int>() == 3);
  for (const auto& [text, where] : std::map<std::string, std::string>{
           {"0,10,5\n1,10\n", "bad.csv:2: 2 columns"},
           {"0,10,5\n-1,10,5\n", "bad.csv:2: arrival -1 is negative"},
           {"2,10,5\n1,10,5\n", "bad.csv:2: arrival 1 is before"},
           {"0,10,5\n1,0,5\n", "bad.csv:2: prompt tokens '0'"},
           {"TIMESTAMP,ContextTokens\n0,5\n", "bad.csv:1: the header has no column"}}) {
    const Result r = kernbench("run serve --param trace=" + write("bad.csv", text));
    BOOST_TEST(r.code == 2, text << r.output);
    BOOST_TEST(r.output.find(where) != std::string::npos, r.output);
  }
  const Result missing = kernbench("run serve --param trace=no_such.csv");
  BOOST_TEST(missing.code == 2);
  BOOST_TEST(missing.output.find("no_such.csv: cannot open") != std::string::npos);
  const Result scheduler = kernbench("run serve --param scheduler=fifo");
  BOOST_TEST(scheduler.code == 2);
  BOOST_TEST(scheduler.output.find("expected vllm, sarathi or static") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_request_that_can_never_fit_is_refused_with_a_message) {
  // The tiny machine's 2 GiB hold 4M tokens of the tiny model's KV cache.
  const std::string trace = write("big.csv", "0,50,5\n0.5,8000000,5\n1,60,5\n");
  const Result r = kernbench("run serve --topology " + configs() +
                             "tiny.yaml --quiet --report serve.json --param trace=" + trace);
  BOOST_REQUIRE_MESSAGE(r.code == 0, r.output);
  BOOST_TEST(r.output.find("request 1 (big.csv:2) refused: 8000000 prompt + 5 output tokens") !=
                 std::string::npos,
             r.output);
  const nlohmann::json s = read_json("serve.json")["serve"];
  BOOST_TEST(s["refused"].get<int>() == 1);
  BOOST_TEST(s["completed"].get<int>() == 2);
}

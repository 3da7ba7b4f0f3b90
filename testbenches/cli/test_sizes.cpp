// The command line's size rule (Params::integer) on every case of testbenches/cli/data/
// sizes.txt, the table kbtools' parser is tested on too: one rule in both languages.
#include "testbenches/benches/bench.h"
#include "testbenches/harness/sim_test.h"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

BOOST_AUTO_TEST_CASE(sizes_follow_the_one_rule) {
  std::ifstream table(kb::test::source_dir() + "/testbenches/cli/data/sizes.txt");
  BOOST_REQUIRE(table);
  int cases = 0;
  for (std::string line; std::getline(table, line);) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t split = line.rfind(' ');
    const std::string text = line.substr(0, split), expected = line.substr(split + 1);
    try {  // the parameters check their values as they are made
      const kb::bench::Params params("sizes", {{"n", "1", "a size"}}, {"n=" + text});
      const std::int64_t value = params.integer("n");
      BOOST_TEST(std::to_string(value) == expected, "'" << text << "'");
    } catch (const kb::bench::BenchUsageError&) {
      BOOST_TEST(expected == "invalid", "'" << text << "' was refused");
    }
    ++cases;
  }
  BOOST_TEST(cases > 15);
}

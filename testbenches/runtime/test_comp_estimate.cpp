// Reading a Chakra node's recorded shapes (runtime/trace/comp_estimate.h) where traces are
// read: in a host thread, on a SystemC coroutine's small stack.
#include "runtime/trace/comp_estimate.h"
#include "testbenches/harness/sim_test.h"

#include <boost/test/unit_test.hpp>

using Shapes = std::vector<std::vector<std::int64_t>>;

namespace {

// tensor_shapes(text) run in an SC_THREAD.
Shapes shapes_on_a_thread(const std::string& text) {
  Shapes shapes;
  kb::test::Driver reader("reader", [&] { shapes = kb::chakra::tensor_shapes(text); });
  kb::test::run_to_end(reader);
  return shapes;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_list_nested_a_hundred_thousand_deep_is_skipped_not_recursed) {
  const std::size_t depth = 100000;
  const std::string deep = std::string(depth, '[') + "1" + std::string(depth, ']');
  const Shapes shapes = shapes_on_a_thread("[[2, 3], " + deep + ", [4], " +
                                           std::string(depth, '[') + "]");  // unclosed last
  BOOST_REQUIRE(shapes.size() >= 2u);
  BOOST_TEST(shapes[0] == (std::vector<std::int64_t>{2, 3}));
  BOOST_TEST(shapes[1] == (std::vector<std::int64_t>{4}));
}

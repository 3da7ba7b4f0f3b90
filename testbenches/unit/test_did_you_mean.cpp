#define BOOST_TEST_MODULE did_you_mean
#include "platform/util/did_you_mean.h"

#include <boost/test/unit_test.hpp>

using kb::platform::did_you_mean;
using kb::platform::edit_distance;

BOOST_AUTO_TEST_CASE(edit_distance_counts_single_edits) {
  BOOST_TEST(edit_distance("", "") == 0u);
  BOOST_TEST(edit_distance("abc", "") == 3u);
  BOOST_TEST(edit_distance("kitten", "sitting") == 3u);
  BOOST_TEST(edit_distance("sips", "sip") == 1u);
  BOOST_TEST(edit_distance("flaw", "lawn") == 2u);
}

BOOST_AUTO_TEST_CASE(suggests_only_close_names) {
  const std::vector<std::string> names{"gemm", "vector_add", "softmax"};
  BOOST_TEST(did_you_mean("gem", names).value() == "gemm");
  BOOST_TEST(did_you_mean("vectoradd", names).value() == "vector_add");
  BOOST_TEST(!did_you_mean("allreduce", names).has_value());
  BOOST_TEST(!did_you_mean("x", {}).has_value());
}

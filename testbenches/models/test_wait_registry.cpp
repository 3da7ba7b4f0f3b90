// The deadlock report's registry of waits: in registration order, whatever order they end
// in, described when asked (a lazy description reads its state then, not at registration).
#include "models/common/wait_registry.h"

#include <boost/test/unit_test.hpp>

#include <memory>

using kb::models::current_waits;
using kb::models::ScopedWait;

BOOST_AUTO_TEST_CASE(waits_are_listed_in_order_and_leave_from_anywhere) {
  BOOST_TEST(current_waits().empty());
  int polled = 0;
  const std::function<std::string()> lazy = [&] { return "lazy " + std::to_string(++polled); };
  auto a = std::make_unique<ScopedWait>("a");
  auto b = std::make_unique<ScopedWait>(lazy);
  auto c = std::make_unique<ScopedWait>("c");
  BOOST_TEST(polled == 0);  // nothing formatted until a report asks
  BOOST_TEST((current_waits() == std::vector<std::string>{"a", "lazy 1", "c"}));
  b.reset();  // from the middle
  BOOST_TEST((current_waits() == std::vector<std::string>{"a", "c"}));
  auto d = std::make_unique<ScopedWait>(lazy);
  a.reset();  // the oldest
  BOOST_TEST((current_waits() == std::vector<std::string>{"c", "lazy 2"}));
  d.reset();  // the newest
  BOOST_TEST((current_waits() == std::vector<std::string>{"c"}));
  c.reset();
  BOOST_TEST(current_waits().empty());
  const ScopedWait again("again");  // the list is whole after emptying
  BOOST_TEST((current_waits() == std::vector<std::string>{"again"}));
}

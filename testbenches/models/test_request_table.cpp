// Requests in flight (models/protocol/request_table.h): ids from the issuer's own range, a
// request complete only once every target cube's completion is in, done when the last
// arrives, and completions for ids the table never issued refused.
#include "models/protocol/request_table.h"
#include "testbenches/harness/sim_test.h"

#include <boost/test/unit_test.hpp>

using namespace kb::models;

namespace {

std::shared_ptr<ControlMessage> launch(const char* label) {
  auto m = std::make_shared<ControlMessage>();
  m->label = label;
  m->body = KernelLaunch{};
  return m;
}

Completion completion(std::uint64_t id, std::uint32_t cube) {
  Completion c;
  c.request_id = id;
  c.cube = cube;
  return c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(completions_are_counted_per_target_and_matched_by_id) {
  RequestTable table(1000);
  auto message = launch("k");
  auto a = table.open(message, {{0, 0}, {0, 1}}, 77);
  auto b = table.open(launch("k2"), {{0, 2}}, 77);
  BOOST_TEST(a->id() == 1000u);
  BOOST_TEST(b->id() == 1001u);
  BOOST_TEST(message->request_id == 1000u);  // filled in on the message that is sent
  BOOST_TEST(message->reply_to == 77u);
  BOOST_TEST(table.deliver(completion(1000, 1), 5'000));
  BOOST_TEST(!a->is_completed());  // one of two cubes
  BOOST_TEST(table.deliver(completion(1000, 0), 3'000));
  BOOST_TEST(a->completions().size() == 2u);
  BOOST_TEST(a->done_ps() == 5'000u);  // the last to arrive, whatever the order
  BOOST_TEST(!a->is_completed());      // not yet: it arrives later in simulated time
  BOOST_TEST(!table.deliver(completion(1000, 0), 6'000));  // closed: no longer open
  BOOST_TEST(!table.deliver(completion(42, 0), 6'000));    // never issued here
  BOOST_TEST(table.deliver(completion(1001, 2), 0));
  BOOST_TEST(b->is_completed());
}

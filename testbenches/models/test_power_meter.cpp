// The power meter's bins: what each charge adds where, and widening that keeps every
// picojoule.
#include "models/common/energy.h"
#include "testbenches/harness/sim_test.h"

#include <boost/test/unit_test.hpp>

#include <numeric>

using namespace kb::models;

namespace {

double total(const PowerMeter& m, std::size_t domain) {
  const std::vector<double>& bins = m.bins(domain);
  return std::accumulate(bins.begin(), bins.end(), 0.0);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_charge_lands_in_the_bins_it_spans_in_proportion) {
  PowerMeter m;
  m.reset(1, 2, 1000);        // two cubes and the links: three domains, 1 ns bins
  m.add(1, 8.0, 1200, 1800);  // inside bin 1
  m.add(1, 4.0, 2000, 3000);  // exactly bin 2: its last picosecond is still in it
  m.add(1, 6.0, 3500, 5000);  // half a bin, then a whole one: 2 and 4
  m.add(1, 3.0, 5000, 5000);  // empty: all at its start
  m.add(2, 1.0, 999, 1001);   // one picosecond either side of a boundary
  const std::vector<double>& d = m.bins(1);
  BOOST_TEST_REQUIRE(d.size() == 6u);
  BOOST_TEST(d[0] == 0.0);
  BOOST_TEST(d[1] == 8.0);
  BOOST_TEST(d[2] == 4.0);
  BOOST_TEST(d[3] == 2.0);
  BOOST_TEST(d[4] == 4.0);
  BOOST_TEST(d[5] == 3.0);
  BOOST_TEST(m.bins(2)[0] == 0.5);
  BOOST_TEST(m.bins(2)[1] == 0.5);
  BOOST_TEST(m.bins(0).empty());
}

BOOST_AUTO_TEST_CASE(a_charge_beyond_the_last_bin_widens_them_all_and_keeps_the_sums) {
  PowerMeter m;
  m.reset(1, 1, 10);
  m.add(0, 5.0, 0, 10);
  m.add(1, 7.0, 35, 36);
  const Picoseconds late = 10 * PowerMeter::kMaxBins + 5;  // bin kMaxBins at 10 ps
  m.add(0, 2.0, late, late + 1);
  BOOST_TEST(m.window_ps() == 20u);
  BOOST_TEST(m.bins(0).size() <= PowerMeter::kMaxBins);
  BOOST_TEST(m.bins(0)[0] == 5.0);
  BOOST_TEST(m.bins(0)[late / 20] == 2.0);
  BOOST_TEST(m.bins(1)[35 / 20] == 7.0);
  BOOST_TEST(total(m, 0) == 7.0);
  BOOST_TEST(total(m, 1) == 7.0);
}

BOOST_AUTO_TEST_CASE(a_domain_outside_the_meter_is_not_metered) {
  PowerMeter m;
  m.reset(1, 1, 1000);
  m.add(5, 1.0, 0, 10);
  BOOST_TEST(m.domains() == 2u);
  BOOST_TEST(total(m, 0) == 0.0);
  BOOST_TEST(total(m, 1) == 0.0);
}

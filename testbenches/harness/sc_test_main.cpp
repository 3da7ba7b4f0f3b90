// The entry point of every test executable that links SystemC: libsystemc's main() calls
// sc_main(), which runs Boost.Test. SystemC warnings become errors, so a test cannot pass
// while the kernel complains.

#include <boost/test/unit_test.hpp>
#include <systemc>

namespace {
bool init_unit_test() { return true; }
}  // namespace

int sc_main(int argc, char** argv) {
  sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING,
                                          sc_core::SC_DISPLAY | sc_core::SC_THROW);
  return boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
}

# Every dependency is a Debian package installed by scripts/setup.
find_package(PkgConfig REQUIRED)
# SystemC ships pkg-config files only, no CMake package.
pkg_check_modules(SystemC REQUIRED IMPORTED_TARGET systemc>=2.3.3)
find_package(yaml-cpp 0.7 REQUIRED)
find_package(fmt 9 REQUIRED)
find_package(CLI11 2 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
if(KB_BUILD_TESTS)
  find_package(Boost 1.74 REQUIRED COMPONENTS unit_test_framework)
endif()

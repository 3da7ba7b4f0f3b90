# Every dependency is a Debian package installed by scripts/setup.
find_package(PkgConfig REQUIRED)
# SystemC ships pkg-config files only, no CMake package.
pkg_check_modules(SystemC REQUIRED IMPORTED_TARGET systemc>=2.3.3)
find_package(yaml-cpp 0.7 REQUIRED)
find_package(fmt 9 REQUIRED)
find_package(CLI11 2 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
# Header-only containers (bounded rings, small vectors) for the hot paths.
find_package(Boost 1.74 REQUIRED)
if(KB_BUILD_TESTS)
  find_package(Boost 1.74 REQUIRED COMPONENTS unit_test_framework)
endif()
# The Python module: Debian's python3 (not another one first on the PATH) and pybind11.
if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python3_EXECUTABLE /usr/bin/python3)
endif()
find_package(Python3 3.9 REQUIRED COMPONENTS Interpreter Development.Module)
set(PYBIND11_FINDPYTHON ON)
find_package(pybind11 2.6 CONFIG REQUIRED)
# Where `cmake --install` puts the package: the prefix's dist-packages of that python3
# (/usr/local/lib/python3.11/dist-packages, on Debian's python3 path, by default).
set(KB_PY_INSTALL_DIR
    lib/python${Python3_VERSION_MAJOR}.${Python3_VERSION_MINOR}/dist-packages
    CACHE PATH "Where cmake --install puts the kernbench Python package")

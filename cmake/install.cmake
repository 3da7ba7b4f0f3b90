# `cmake --install`: the libraries, their headers, kernbench, configs/ and a CMake package,
# so that a program of one's own does find_package(KernBenchSC) and links
# KernBenchSC::runtime (docs/runtime.md, "Your own program").
include(CMakePackageConfigHelpers)

set(KB_LIBRARIES kb_address kb_fabric kb_models kb_topology kb_platform kb_platform_commands
                 kb_runtime_core kb_runtime_archive kb_runtime)
foreach(target IN LISTS KB_LIBRARIES)
  string(REGEX REPLACE "^kb_" "" name ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
endforeach()

install(TARGETS ${KB_LIBRARIES} EXPORT KernBenchSCTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${KB_INSTALL_INCLUDEDIR})
install(TARGETS kernbench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY models platform runtime DESTINATION ${KB_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(DIRECTORY configs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/kernbench/configs)
install(DIRECTORY python/kbtools DESTINATION ${CMAKE_INSTALL_DATADIR}/kernbench/python
        PATTERN "__pycache__" EXCLUDE)

set(KB_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/KernBenchSC)
install(EXPORT KernBenchSCTargets NAMESPACE KernBenchSC:: DESTINATION ${KB_PACKAGE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/KernBenchSCConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/KernBenchSCConfig.cmake
                              INSTALL_DESTINATION ${KB_PACKAGE_DIR} PATH_VARS CMAKE_INSTALL_DATADIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/KernBenchSCConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/KernBenchSCConfig.cmake
              ${PROJECT_BINARY_DIR}/KernBenchSCConfigVersion.cmake
        DESTINATION ${KB_PACKAGE_DIR})

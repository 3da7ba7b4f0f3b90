# Golden timings: every bench at two sizes on tiny, default and multi-SIP topologies, run
# timing-only (the same picoseconds as a functional run), compared exactly.
#
#   cmake -DKERNBENCH=... -DCONFIGS=... -DTABLE=... [-DTOPOLOGY=tiny.yaml] -P goldens.cmake
#       checks the rows of TABLE (those of TOPOLOGY when given);
#   add -DWRITE=ON to run every row and write the measured figures back into TABLE
#   (scripts/update-goldens does this).
#
# TABLE has one row per run: topology|bench and params|sim_time_ns|kernel_time_ns. Lines
# starting with # are kept as they are (no semicolons in them: CMake splits lists there).
file(STRINGS ${TABLE} rows)
set(out "")
set(failures "")
if(NOT DEFINED WORK_DIR)
  set(WORK_DIR ${CMAKE_CURRENT_BINARY_DIR}/goldens_work)
endif()
set(work ${WORK_DIR})
file(MAKE_DIRECTORY ${work})
foreach(row IN LISTS rows)
  if(row MATCHES "^#" OR row STREQUAL "")
    list(APPEND out "${row}")
    continue()
  endif()
  string(REPLACE "|" ";" fields "${row}")
  list(GET fields 0 topology)
  list(GET fields 1 run)
  if(DEFINED TOPOLOGY AND NOT topology STREQUAL TOPOLOGY AND NOT WRITE)
    continue()
  endif()
  separate_arguments(args UNIX_COMMAND "${run}")
  set(report ${work}/${topology}.json)
  execute_process(COMMAND ${KERNBENCH} run ${args} --timing-only --quiet --report ${report}
                          --topology ${CONFIGS}/${topology}
                  RESULT_VARIABLE code OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "kernbench run ${run} on ${topology} failed (${code}):\n${output}")
  endif()
  file(READ ${report} json)
  string(JSON sim GET "${json}" sim_time_ns)
  string(JSON kernels GET "${json}" kernel_time_ns)
  list(APPEND out "${topology}|${run}|${sim}|${kernels}")
  if(NOT WRITE)
    list(GET fields 2 want_sim)
    list(GET fields 3 want_kernels)
    if(NOT sim STREQUAL want_sim OR NOT kernels STREQUAL want_kernels)
      list(APPEND failures "  ${topology} ${run}: sim_time_ns ${sim} (golden ${want_sim}), kernel_time_ns ${kernels} (golden ${want_kernels})")
    endif()
  endif()
endforeach()
if(WRITE)
  list(JOIN out "\n" text)
  file(WRITE ${TABLE} "${text}\n")
  message(STATUS "wrote ${TABLE}")
elseif(failures)
  list(JOIN failures "\n" text)
  message(FATAL_ERROR "simulated times differ from the goldens:\n${text}\n"
                      "If the change is meant to move timing, run scripts/update-goldens and "
                      "say why in the commit (README, 'Golden timings').")
endif()

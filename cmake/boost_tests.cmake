# kb_discover_tests(TARGET PREFIX prefix [TIMEOUT s] [ENVIRONMENT var=value...] [OWN_DIRECTORY])
#
# One ctest entry per Boost.Test case of TARGET, named PREFIX.CASE (SystemC elaborates once
# per process: docs/architecture.md, "Tests"). The cases are found after every build by running
# `TARGET --list_content`, as Boost.Test itself lists them, so a case is never missed or
# invented by reading the source. OWN_DIRECTORY runs each case in a directory of its own
# (for cases that write files of the same names). Cases named in the target's property
# KB_COROUTINE_UNWIND_CASES get the label coroutine-unwind (kb_coroutine_unwind_tests).
set(KB_LIST_CASES_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/boost_test_cases.cmake)

function(kb_discover_tests target)
  cmake_parse_arguments(ARG "OWN_DIRECTORY" "PREFIX;TIMEOUT" "ENVIRONMENT" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  set(cases_file ${CMAKE_CURRENT_BINARY_DIR}/${target}_cases.cmake)
  set(tests_file ${CMAKE_CURRENT_BINARY_DIR}/${target}_tests.cmake)
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -DEXECUTABLE=$<TARGET_FILE:${target}> -DOUTPUT=${cases_file}
            -P ${KB_LIST_CASES_SCRIPT}
    BYPRODUCTS ${cases_file} VERBATIM)
  set(directory "")
  set(make_directory "")
  if(ARG_OWN_DIRECTORY)
    set(directory "WORKING_DIRECTORY \"${CMAKE_CURRENT_BINARY_DIR}/\${name}\"")
    set(make_directory "file(MAKE_DIRECTORY \"${CMAKE_CURRENT_BINARY_DIR}/\${name}\")")
  endif()
  file(GENERATE OUTPUT ${tests_file} CONTENT "\
if(NOT EXISTS \"${cases_file}\")
  add_test(${ARG_PREFIX}.NOT_BUILT \"${CMAKE_COMMAND}\" -E false)
  return()
endif()
include(\"${cases_file}\")
set(unwind \"$<TARGET_PROPERTY:${target},KB_COROUTINE_UNWIND_CASES>\")
foreach(case IN LISTS kb_cases)
  set(name \"${ARG_PREFIX}.\${case}\")
  add_test(\"\${name}\" \"$<TARGET_FILE:${target}>\" \"--run_test=\${case}\")
  ${make_directory}
  set_tests_properties(\"\${name}\" PROPERTIES TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT [==[${ARG_ENVIRONMENT}]==] ${directory})
  list(FIND unwind \"\${case}\" at)  # ctest reads this file without IN_LIST's policy
  if(at GREATER -1)
    set_tests_properties(\"\${name}\" PROPERTIES LABELS coroutine-unwind)
  endif()
endforeach()
")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${tests_file})
endfunction()

# kb_coroutine_unwind_tests(TARGET case...): cases that end with processes suspended inside
# the model and an exception thrown on the main stack. AddressSanitizer, unaware of
# SystemC's coroutine switches (Debian's SystemC has no fiber annotations), misreads the
# stack then; the debug preset skips them, the release suite runs them.
function(kb_coroutine_unwind_tests target)
  set_property(TARGET ${target} APPEND PROPERTY KB_COROUTINE_UNWIND_CASES ${ARGN})
endfunction()

# Runs one command and checks its exit code and output: the CLI contract tests.
#   cmake -DCMD="prog|arg|arg" -DEXIT=N [-DMATCH=regex] [-DNO_MATCH=regex] -P expect.cmake
# CMD separates arguments with '|' (a ';' would be split by add_test). MATCH and NO_MATCH
# are applied to stdout and stderr together.
string(REPLACE "|" ";" command "${CMD}")
execute_process(COMMAND ${command} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(all "${out}${err}")
if(NOT "${code}" STREQUAL "${EXIT}")
  message(FATAL_ERROR "expected exit code ${EXIT}, got ${code}\n--- output:\n${all}")
endif()
if(DEFINED MATCH AND NOT all MATCHES "${MATCH}")
  message(FATAL_ERROR "output does not match '${MATCH}'\n--- output:\n${all}")
endif()
if(DEFINED NO_MATCH AND all MATCHES "${NO_MATCH}")
  message(FATAL_ERROR "output matches '${NO_MATCH}'\n--- output:\n${all}")
endif()

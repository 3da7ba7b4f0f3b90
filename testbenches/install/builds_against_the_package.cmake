# cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -P builds_against_the_package.cmake
# Installs the build into a fresh prefix, then configures, builds and runs the host
# program of docs/runtime.md (docs/examples/host_program) against that prefix alone.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT code EQUAL 0)
    list(JOIN ARGN " " command)
    message(FATAL_ERROR "failed (${code}): ${command}\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

step(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(installed bin/kernbench share/kernbench/configs/tiny.yaml
                  include/kernbench/runtime/context/runtime_context.h
                  lib/cmake/KernBenchSC/KernBenchSCConfig.cmake)
  if(NOT EXISTS ${prefix}/${installed})
    message(FATAL_ERROR "the install lacks ${installed}")
  endif()
endforeach()
step(${prefix}/bin/kernbench topology validate ${prefix}/share/kernbench/configs/tiny.yaml)

# Only the fresh prefix may be found: nothing from the build or source tree.
step(${CMAKE_COMMAND} -S ${SOURCE_DIR}/docs/examples/host_program -B ${WORK_DIR}/build
     -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
step(${CMAKE_COMMAND} --build ${WORK_DIR}/build -j2)
step(${WORK_DIR}/build/host_program)
if(NOT step_output MATCHES "262144 values doubled")
  message(FATAL_ERROR "unexpected output of the host program:\n${step_output}")
endif()
message(STATUS "${step_output}")

# cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -P builds_against_the_package.cmake
# Installs the build into a fresh prefix, then configures, builds and runs host programs
# of docs/examples (docs/runtime.md's, and a loop that must keep its memory flat) against
# that prefix alone, and imports the Python package from it.
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

# The Python package, where Debian's python3 looks under the prefix (PYTHON_DIR is that
# directory relative to the prefix), runs a bench from there.
step(${CMAKE_COMMAND} -E env PYTHONPATH=${prefix}/${PYTHON_DIR} /usr/bin/python3 -c
     "import kernbench\nprint(kernbench.__file__, kernbench.run('gemm', params={'M': 64, 'N': 64, 'K': 64}, timing_only=True)['kernel_time_ns'])")
if(NOT step_output MATCHES "^${prefix}/${PYTHON_DIR}/kernbench/__init__.py [0-9.]+")
  message(FATAL_ERROR "kernbench imported from elsewhere, or no figure: ${step_output}")
endif()

# Only the fresh prefix may be found: nothing from the build or source tree.
# build_and_run(EXAMPLE PATTERN): docs/examples/EXAMPLE built against the prefix, run,
# and its output matched.
function(build_and_run example pattern)
  set(build ${WORK_DIR}/build_${example})
  step(${CMAKE_COMMAND} -S ${SOURCE_DIR}/docs/examples/${example} -B ${build}
       -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
  step(${CMAKE_COMMAND} --build ${build} -j2)
  step(${build}/${example})
  if(NOT step_output MATCHES "${pattern}")
    message(FATAL_ERROR "unexpected output of ${example}:\n${step_output}")
  endif()
  message(STATUS "${step_output}")
endfunction()

# The host program of docs/runtime.md.
build_and_run(host_program "262144 values doubled")
# A copy-in / read-back / free loop: exits 1 unless its resident memory stays flat.
build_and_run(memory_loop "8 rounds of 32 MiB in and out")

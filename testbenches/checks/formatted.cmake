# cmake -DSOURCE_DIR=... -DCLANG_FORMAT=... -P formatted.cmake: fails, naming the files,
# when a C++ file of the tree differs from what its .clang-format makes of it.
file(GLOB_RECURSE files RELATIVE ${SOURCE_DIR}
     ${SOURCE_DIR}/models/*.h ${SOURCE_DIR}/models/*.cpp
     ${SOURCE_DIR}/platform/*.h ${SOURCE_DIR}/platform/*.cpp ${SOURCE_DIR}/platform/*.cpp.in
     ${SOURCE_DIR}/runtime/*.h ${SOURCE_DIR}/runtime/*.cpp ${SOURCE_DIR}/runtime/*.cpp.in
     ${SOURCE_DIR}/testbenches/*.h ${SOURCE_DIR}/testbenches/*.cpp
     ${SOURCE_DIR}/python/*.h ${SOURCE_DIR}/python/*.cpp
     ${SOURCE_DIR}/docs/*.h ${SOURCE_DIR}/docs/*.cpp)
list(SORT files)
set(unformatted "")
foreach(file IN LISTS files)
  execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror ${file}
                  WORKING_DIRECTORY ${SOURCE_DIR} RESULT_VARIABLE code
                  OUTPUT_QUIET ERROR_QUIET)
  if(NOT code EQUAL 0)
    list(APPEND unformatted ${file})
  endif()
endforeach()
list(LENGTH files count)
if(unformatted)
  list(JOIN unformatted "\n  " names)
  message(FATAL_ERROR "not formatted (run: clang-format -i FILE):\n  ${names}")
endif()
message(STATUS "${count} files formatted")

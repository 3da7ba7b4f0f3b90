# kb_harden(TARGET): the project's warning and sanitizer flags, applied to its own
# targets only so that third-party headers keep their own settings.
function(kb_harden target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                         -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
                         -Woverloaded-virtual -Wnull-dereference)
  if(KB_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(KB_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined
                           -fno-omit-frame-pointer -fno-sanitize-recover=all)
    # PUBLIC: whatever links a sanitized static library needs the sanitizer runtimes too,
    # an installed package's consumers included.
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  endif()
endfunction()

# kb_library_includes(TARGET): headers are included by their path from the top of the
# tree ("models/pe/pe.h"), in the build and from an installed prefix alike.
function(kb_library_includes target)
  target_include_directories(${target} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
                                              $<INSTALL_INTERFACE:${KB_INSTALL_INCLUDEDIR}>)
endfunction()

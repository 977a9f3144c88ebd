# Libraries loaded on demand (core/internal/libro/dl_int.h): zbar, libpng, libjpeg, libcurl and
# libmicrohttpd are compiled against (their headers, their SONAMEs) but not linked, so a process
# maps them only when it decodes an image, writes a PNG, opens a connection or serves.
#
# libro_headers_of(NAME PREFIX): an INTERFACE target NAME with the include directories and
# compile flags that pkg_check_modules(PREFIX ...) found, and none of its link flags.
function(libro_headers_of name prefix)
  add_library(${name} INTERFACE)
  target_include_directories(${name} SYSTEM INTERFACE ${${prefix}_INCLUDE_DIRS})
  target_compile_options(${name} INTERFACE ${${prefix}_CFLAGS_OTHER})
  # dlopen and dlsym (in libc itself since glibc 2.34; libdl before).
  target_link_libraries(${name} INTERFACE ${CMAKE_DL_LIBS})
endfunction()

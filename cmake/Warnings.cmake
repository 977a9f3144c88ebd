# Warning set for our own targets only (style.md §11); dependencies are SYSTEM includes.
add_library(libro_warnings INTERFACE)
target_compile_options(libro_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion -Wformat=2
  -Wstrict-prototypes -Wmissing-prototypes -Wcast-qual -Wwrite-strings -Wvla
  -Wimplicit-fallthrough
  $<$<BOOL:${LIBRO_WERROR}>:-Werror>)

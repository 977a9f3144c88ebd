# Release hardening: fortify, stack protector, PIE, full RELRO (style.md §11).
if(CMAKE_BUILD_TYPE MATCHES "^(Release|RelWithDebInfo)$")
  add_compile_options(-fstack-protector-strong)
  add_compile_definitions(_FORTIFY_SOURCE=2)
  set(CMAKE_POSITION_INDEPENDENT_CODE ON)
  add_link_options(-pie -Wl,-z,relro,-z,now)
endif()

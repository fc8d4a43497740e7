# GS_SANITIZE="address,undefined" (or ";"-separated) instruments every target, plugins included.
if(GS_SANITIZE)
  string(REPLACE ";" "," _gs_san "${GS_SANITIZE}")
  add_compile_options(-fsanitize=${_gs_san} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_gs_san})
  add_compile_definitions(GS_SANITIZED=1)
endif()

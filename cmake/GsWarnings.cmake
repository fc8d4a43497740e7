# Warnings live on an INTERFACE target that every target links; never global.
add_library(gs_warnings INTERFACE)
target_compile_options(gs_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
  -Wvla -Wcast-align -Wno-missing-field-initializers
  $<$<BOOL:${GS_WERROR}>:-Werror>)

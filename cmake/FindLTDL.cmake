# Debian's libltdl-dev ships no pkg-config file: find the header and library.
find_path(LTDL_INCLUDE_DIR ltdl.h)
find_library(LTDL_LIBRARY ltdl)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LTDL REQUIRED_VARS LTDL_LIBRARY LTDL_INCLUDE_DIR)
if(LTDL_FOUND AND NOT TARGET LTDL::LTDL)
  add_library(LTDL::LTDL UNKNOWN IMPORTED)
  set_target_properties(LTDL::LTDL PROPERTIES IMPORTED_LOCATION "${LTDL_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LTDL_INCLUDE_DIR}")
endif()

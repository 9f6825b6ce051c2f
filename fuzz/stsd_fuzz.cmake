# Included from the top-level CMakeLists.txt (after src/): the STSD_FUZZ
# option. The "fuzz" preset turns it on together with the instrumentation
# flags. Included, not added, so that enable_testing() lands in the top
# directory, where ctest looks for tests.
option(STSD_FUZZ "Build the libFuzzer targets in fuzz/ (clang; use the fuzz preset)" OFF)
if(STSD_FUZZ)
  enable_testing()
  add_subdirectory(${CMAKE_CURRENT_LIST_DIR} ${CMAKE_BINARY_DIR}/fuzz)
endif()

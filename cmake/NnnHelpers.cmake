# Helper functions shared by nnn/, apps/ and tests/: the warnings target,
# nnn_add_app() and nnn_add_test().

add_library(nnn_warnings INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(nnn_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
    -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual -Wno-unused-parameter)
endif()

# nnn_add_app(TARGET [OUTPUT_NAME name] SOURCES a.cpp b.cpp): an executable
# in <build>/bin linked to the library.
function(nnn_add_app name)
  cmake_parse_arguments(ARG "" "OUTPUT_NAME" "SOURCES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE nnn nnn_baseline nnn_warnings)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
  if(ARG_OUTPUT_NAME)
    set_target_properties(${name} PROPERTIES OUTPUT_NAME ${ARG_OUTPUT_NAME})
  endif()
endfunction()

# nnn_add_test(NAME SOURCES a.cpp b.cpp): a GoogleTest binary whose tests
# CTest discovers one by one; they run from tests/ so fixtures resolve.
function(nnn_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE nnn nnn_baseline nnn_warnings GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    NNN_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data"
    NNN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
  include(GoogleTest)
  gtest_discover_tests(${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tests
    DISCOVERY_TIMEOUT 60)
endfunction()

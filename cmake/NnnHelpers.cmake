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

# nnn_add_test(NAME SOURCES a.cpp b.cpp [LIGHT c.cpp ...]): a GoogleTest
# binary whose tests CTest discovers one by one; they run from tests/ so
# fixtures resolve. LIGHT sources do not include LibTorch (no precompiled
# header for them); they may use NNN_TEST_DATA_DIR and NNN_SOURCE_DIR.
function(nnn_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIGHT" ${ARGN})
  add_executable(${name} ${ARG_SOURCES} ${ARG_LIGHT})
  target_link_libraries(${name} PRIVATE nnn nnn_baseline nnn_warnings GTest::gtest GTest::gtest_main)
  nnn_precompile_torch(${name} SKIP ${ARG_LIGHT})
  # Only on the light sources, so the others keep the flags of nnn's header.
  set_source_files_properties(${ARG_LIGHT} TARGET_DIRECTORY ${name} PROPERTIES COMPILE_DEFINITIONS
    "NNN_TEST_DATA_DIR=\"${PROJECT_SOURCE_DIR}/tests/data\";NNN_SOURCE_DIR=\"${PROJECT_SOURCE_DIR}\"")
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
  include(GoogleTest)
  gtest_discover_tests(${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tests
    DISCOVERY_TIMEOUT 60)
endfunction()

# nnn_precompile_torch(TARGET [SKIP a.cpp ...]): compile the LibTorch headers
# nnn uses (tensors, modules, autograd, archives: not all of <torch/torch.h>,
# whose 570 MB header takes twice as long to load) and nlohmann-json once,
# and reuse them in every source of TARGET. A LibTorch translation unit then
# takes about half the time. Sources listed after SKIP do not include
# LibTorch: loading the header (~2 s) would cost them more than they take.
# Targets after `nnn_core` reuse its header.
option(NNN_USE_PCH "Precompile LibTorch's headers" ON)
function(nnn_precompile_torch target)
  cmake_parse_arguments(ARG "" "" "SKIP" ${ARGN})
  if(NOT NNN_USE_PCH)
    return()
  endif()
  if(target STREQUAL "nnn_core")
    target_precompile_headers(nnn_core PRIVATE
      <torch/types.h> <torch/nn/cloneable.h> <torch/nn/modules/container/modulelist.h>
      <torch/serialize/archive.h> <torch/autograd.h> <torch/nn/functional/loss.h>
      <ATen/CPUGeneratorImpl.h> <nlohmann/json.hpp>)
  else()
    target_precompile_headers(${target} REUSE_FROM nnn_core)
  endif()
  if(ARG_SKIP)
    set_source_files_properties(${ARG_SKIP} TARGET_DIRECTORY ${target}
      PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
  endif()
endfunction()

# nnn_add_script_test(NAME SCRIPT [TIMEOUT seconds] [SERIAL]): a bash script
# of tests/ run as `bash SCRIPT NNN_BINARY SOURCE_DIR`, exit 77 meaning
# skipped (the script prints why); SERIAL runs it alone (daemons, ports).
function(nnn_add_script_test name script)
  cmake_parse_arguments(ARG "SERIAL" "TIMEOUT" "" ${ARGN})
  add_test(NAME ${name}
    COMMAND bash ${PROJECT_SOURCE_DIR}/tests/${script} $<TARGET_FILE:nnn_cli> ${PROJECT_SOURCE_DIR})
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77)
  if(ARG_TIMEOUT)
    set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT})
  endif()
  if(ARG_SERIAL)
    set_tests_properties(${name} PROPERTIES RUN_SERIAL TRUE)
  endif()
endfunction()

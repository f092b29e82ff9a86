# Finds nnn's dependencies; a missing one stops configuration with the Debian
# package that provides it, so a newcomer knows what to install.
#
# LibTorch: Debian's libtorch-dev is found by default. For an upstream
# LibTorch 2.x (e.g. with CUDA), pass its prefix:
#   cmake -DCMAKE_PREFIX_PATH=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)') ...

# A macro, not a function: find_package's results must land in the caller's scope.
macro(nnn_require_package name debian_package)
  find_package(${name} ${ARGN} QUIET)
  if(NOT ${name}_FOUND)
    message(FATAL_ERROR
      "nnn: could not find ${name}. On Debian 12 install it with "
      "'sudo apt-get install ${debian_package}' (or run scripts/setup.sh); "
      "for a copy elsewhere add its prefix to CMAKE_PREFIX_PATH.")
  endif()
  message(STATUS "nnn: found ${name} ${${name}_VERSION}")
endmacro()

nnn_require_package(Torch libtorch-dev)
nnn_require_package(yaml-cpp libyaml-cpp-dev)
nnn_require_package(fmt libfmt-dev)
nnn_require_package(ZLIB zlib1g-dev)
nnn_require_package(nlohmann_json nlohmann-json3-dev)
if(NNN_BUILD_APPS)
  nnn_require_package(CLI11 libcli11-dev)
endif()
if(NNN_BUILD_TESTS)
  nnn_require_package(GTest libgtest-dev)
endif()

# yaml-cpp 0.7 (Debian 12) exports the target 'yaml-cpp'; newer releases
# export 'yaml-cpp::yaml-cpp'. Give both spellings one name.
if(TARGET yaml-cpp::yaml-cpp)
  set(NNN_YAML_TARGET yaml-cpp::yaml-cpp)
else()
  set(NNN_YAML_TARGET yaml-cpp)
endif()

# Whether this LibTorch was built with CUDA (upstream 2.x wheels are).
set(NNN_TORCH_HAS_CUDA OFF)
if(TARGET torch_cuda OR TORCH_CUDA_LIBRARIES)
  set(NNN_TORCH_HAS_CUDA ON)
endif()
message(STATUS "nnn: LibTorch ${Torch_VERSION} with CUDA: ${NNN_TORCH_HAS_CUDA}")

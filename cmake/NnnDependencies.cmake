# Finds nnn's dependencies; a missing one stops configuration with the Debian
# package that provides it, so a newcomer knows what to install.
#
# LibTorch: Debian's libtorch-dev (1.13, CPU) is found by default. For an
# upstream LibTorch 2.x (pip's CPU or CUDA build) pass its prefix, or use the
# torch2 / cuda presets through scripts/build.sh:
#   cmake -DCMAKE_PREFIX_PATH=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)') ...
# Configure prints which LibTorch it found, whether it has CUDA, its C++ ABI
# and which fmt nnn compiles against.

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

include(NnnFindTorch)
nnn_find_torch(QUIET)
if(NOT Torch_FOUND)
  message(FATAL_ERROR
    "nnn: could not find Torch (LibTorch). On Debian 12 install it with 'sudo apt-get install "
    "libtorch-dev' (or run scripts/setup.sh); for an upstream LibTorch add its prefix to "
    "CMAKE_PREFIX_PATH.")
endif()
message(STATUS "nnn: found Torch ${Torch_VERSION}")
nnn_require_package(yaml-cpp libyaml-cpp-dev)
nnn_require_package(ZLIB zlib1g-dev)
nnn_require_package(nlohmann_json nlohmann-json3-dev)
# OpenCV, the modules used only: image files (PNG, JPEG, BMP: core,
# imgcodecs), video files and cameras (videoio on FFmpeg's libraries,
# imgproc for grey), and the trackers compared with nnn's (video: MIL;
# libopencv-contrib-dev's tracking: CSRT, KCF).
nnn_require_package(OpenCV libopencv-dev COMPONENTS core imgcodecs imgproc videoio video)
nnn_require_package(OpenCV "libopencv-contrib-dev" COMPONENTS tracking)
# TensorBoard's event files (nnn/tracking): the records as protobuf
# messages (protoc generates them; libprotobuf-lite serialises), framed with
# CRC32C checksums from Google's crcutil (libcrcutil-dev, pkg-config).
nnn_require_package(Protobuf "libprotobuf-dev protobuf-compiler")
if(NOT Protobuf_PROTOC_EXECUTABLE)
  message(FATAL_ERROR "nnn: could not find protoc. On Debian 12 install it with "
    "'sudo apt-get install protobuf-compiler' (or run scripts/setup.sh).")
endif()
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(NNN_CRCUTIL QUIET IMPORTED_TARGET GLOBAL libcrcutil)
endif()
if(NOT NNN_CRCUTIL_FOUND)
  message(FATAL_ERROR "nnn: could not find crcutil (CRC32C for TensorBoard's event files). On "
    "Debian 12 install it with 'sudo apt-get install libcrcutil-dev pkg-config' (or run "
    "scripts/setup.sh).")
endif()
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

# The C++ ABI of the LibTorch found. Debian's yaml-cpp, fmt and GoogleTest use
# the C++11 ABI; a LibTorch built with the old one cannot link with them.
set(NNN_CXX11_ABI 1)
if(TORCH_CXX_FLAGS MATCHES "_GLIBCXX_USE_CXX11_ABI=0")
  set(NNN_CXX11_ABI 0)
  message(FATAL_ERROR
    "nnn: the LibTorch in ${Torch_DIR} was built with the pre-C++11 ABI "
    "(_GLIBCXX_USE_CXX11_ABI=0), but Debian's yaml-cpp, fmt and GoogleTest use the C++11 ABI: "
    "they cannot link together. Use a LibTorch built with the C++11 ABI (pip's torch 2.x "
    "wheels for Linux are; so is Debian's libtorch-dev).")
endif()
# Every nnn target, the torch-free baseline included, compiles with that ABI.
add_library(nnn_abi INTERFACE)
target_compile_definitions(nnn_abi INTERFACE _GLIBCXX_USE_CXX11_ABI=${NNN_CXX11_ABI})

# fmt: upstream LibTorch 2.x ships fmt's headers (fmt 11/12) in its include
# folder, which comes first on the include path and would shadow Debian's fmt
# 9 headers while Debian's libfmt is linked. Pick one consistently: LibTorch's
# headers in header-only mode when it ships them, else Debian's libfmt.
set(NNN_TORCH_FMT "")
foreach(dir IN LISTS TORCH_INCLUDE_DIRS)
  if(NOT NNN_TORCH_FMT AND EXISTS "${dir}/fmt/core.h")
    set(NNN_TORCH_FMT "${dir}")
  endif()
endforeach()
add_library(nnn_fmt INTERFACE)
if(NNN_TORCH_FMT)
  target_compile_definitions(nnn_fmt INTERFACE FMT_HEADER_ONLY=1)
  set(NNN_FMT_DESCRIPTION "LibTorch's fmt headers (${NNN_TORCH_FMT}), header-only")
  set(NNN_FIND_FMT OFF)
else()
  nnn_require_package(fmt libfmt-dev)
  target_link_libraries(nnn_fmt INTERFACE fmt::fmt)
  set(NNN_FMT_DESCRIPTION "fmt ${fmt_VERSION} (${fmt_DIR})")
  set(NNN_FIND_FMT ON)
endif()

# LibTorch 2.14 and later require C++20 in their headers (ATen.h stops with
# "C++20 or later compatible compiler is required"); nnn's code is C++17 and
# also compiles as C++20, so the standard follows the LibTorch.
if(Torch_VERSION VERSION_GREATER_EQUAL 2.14 AND CMAKE_CXX_STANDARD LESS 20)
  set(CMAKE_CXX_STANDARD 20)
  message(STATUS "nnn: LibTorch ${Torch_VERSION} needs C++20: compiling as C++20")
endif()

# Whether this LibTorch was built with CUDA (upstream 2.x CUDA wheels are).
set(NNN_TORCH_HAS_CUDA OFF)
if(TARGET torch_cuda OR TORCH_CUDA_LIBRARIES)
  set(NNN_TORCH_HAS_CUDA ON)
endif()
get_filename_component(NNN_TORCH_PREFIX "${Torch_DIR}/../../.." REALPATH)
message(STATUS "nnn: LibTorch ${Torch_VERSION} at ${NNN_TORCH_PREFIX}; CUDA: ${NNN_TORCH_HAS_CUDA}; "
               "C++11 ABI: ${NNN_CXX11_ABI}")
message(STATUS "nnn: fmt: ${NNN_FMT_DESCRIPTION}")
option(NNN_REQUIRE_CUDA "Stop at configure time unless the LibTorch found has CUDA" OFF)
if(NNN_REQUIRE_CUDA AND NOT NNN_TORCH_HAS_CUDA)
  message(FATAL_ERROR
    "nnn: NNN_REQUIRE_CUDA is ON but the LibTorch in ${NNN_TORCH_PREFIX} has no CUDA. Point "
    "CMAKE_PREFIX_PATH at a CUDA build (pip install torch==2.14.1 in a venv, then "
    "python -c 'import torch;print(torch.utils.cmake_prefix_path)').")
endif()

# nnn_find_torch(): find_package(Torch) that finds the libraries of the
# LibTorch it found. An upstream TorchConfig.cmake (pip's) looks for libtorch
# and libc10 with find_library(... PATHS <its lib>), which searches the system
# folders first: on a machine that also has Debian's libtorch-dev it would
# link Debian's 1.13 libraries under 2.x headers. When the LibTorch is not
# the system's, the system library folders are ignored while it is found,
# and every library it lists must lie inside it.
macro(nnn_find_torch)
  # The LibTorch CMAKE_PREFIX_PATH names, if any. A Torch_DIR cached by an
  # earlier configure would win over it and silently build against the other
  # LibTorch: refuse instead.
  set(_nnn_torch_dir "${Torch_DIR}")
  foreach(_nnn_prefix IN LISTS CMAKE_PREFIX_PATH)
    if(EXISTS "${_nnn_prefix}/Torch/TorchConfig.cmake")
      if(NOT Torch_DIR)
        if(NOT _nnn_torch_dir)
          set(_nnn_torch_dir "${_nnn_prefix}/Torch")
        endif()
      else()
        get_filename_component(_nnn_wanted "${_nnn_prefix}/Torch" REALPATH)
        get_filename_component(_nnn_cached "${Torch_DIR}" REALPATH)
        if(NOT _nnn_wanted STREQUAL _nnn_cached)
          message(FATAL_ERROR
            "nnn: this build folder is configured for the LibTorch in ${Torch_DIR}, but "
            "CMAKE_PREFIX_PATH points at ${_nnn_prefix}. Use a separate build folder per "
            "LibTorch (the presets do), or delete ${CMAKE_BINARY_DIR}/CMakeCache.txt.")
        endif()
      endif()
    endif()
  endforeach()
  # Its Caffe2 package sits beside it; without this, a consumer that set only
  # Torch_DIR would pick the system's Caffe2 (Debian's 1.13).
  if(_nnn_torch_dir AND NOT Caffe2_DIR AND EXISTS "${_nnn_torch_dir}/../Caffe2/Caffe2Config.cmake")
    get_filename_component(Caffe2_DIR "${_nnn_torch_dir}/../Caffe2" REALPATH)
  endif()
  set(_nnn_saved_ignore "${CMAKE_IGNORE_PATH}")
  if(_nnn_torch_dir AND NOT _nnn_torch_dir MATCHES "^/usr/")
    list(APPEND CMAKE_IGNORE_PATH /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib
         /lib/x86_64-linux-gnu /lib/aarch64-linux-gnu /lib)
  endif()
  find_package(Torch ${ARGN})
  set(CMAKE_IGNORE_PATH "${_nnn_saved_ignore}")
  if(Torch_FOUND AND NOT Torch_DIR MATCHES "^/usr/")
    get_filename_component(_nnn_torch_root "${Torch_DIR}/../../.." REALPATH)
    foreach(_nnn_lib IN LISTS TORCH_LIBRARIES)
      if(IS_ABSOLUTE "${_nnn_lib}")
        get_filename_component(_nnn_real "${_nnn_lib}" REALPATH)
        string(FIND "${_nnn_real}" "${_nnn_torch_root}/" _nnn_at)
        if(NOT _nnn_at EQUAL 0 AND _nnn_lib MATCHES "(torch|c10)")
          message(FATAL_ERROR
            "nnn: the LibTorch in ${_nnn_torch_root} lists ${_nnn_lib}, a library from another "
            "LibTorch; delete the build folder's CMakeCache.txt (a cached library path) and "
            "configure again")
        endif()
      endif()
    endforeach()
  endif()
endmacro()

# Routes compilation through ccache when present: a LibTorch translation unit
# costs ~10-20 s, so a warm cache makes rebuilds of unchanged files free.
# Precompiled headers need ccache's pch_defines and time_macros sloppiness
# (and GCC's -fpch-preprocess, which ccache adds itself); a base directory
# makes the cache hit across clones in different folders (CI).
if(NNN_USE_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(NNN_CCACHE_PROGRAM ccache)
  if(NNN_CCACHE_PROGRAM)
    set(CMAKE_CXX_COMPILER_LAUNCHER
      ${CMAKE_COMMAND} -E env
      "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
      "CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}"
      ${NNN_CCACHE_PROGRAM})
    message(STATUS "nnn: compiling through ${NNN_CCACHE_PROGRAM}")
  endif()
endif()

# Routes compilation through ccache when present: a LibTorch translation unit
# costs ~20 s, so a warm cache makes rebuilds of unchanged files free.
if(NNN_USE_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(NNN_CCACHE_PROGRAM ccache)
  if(NNN_CCACHE_PROGRAM)
    set(CMAKE_CXX_COMPILER_LAUNCHER ${NNN_CCACHE_PROGRAM})
    message(STATUS "nnn: compiling through ${NNN_CCACHE_PROGRAM}")
  endif()
endif()

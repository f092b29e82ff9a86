// NNN_VECTOR_CLONES: build a loop for AVX-512, AVX2 and plain x86-64 and
// pick one when the library loads (GCC's target_clones); nothing elsewhere.
#pragma once

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define NNN_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define NNN_VECTOR_CLONES
#endif

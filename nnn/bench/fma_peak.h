// The machine's arithmetic limit per core, as a reference for the bench's
// useful FLOP/s that does not depend on which BLAS a build links: a loop of
// independent fused multiply-adds on the widest vectors the CPU runs
// (AVX-512, AVX2 + FMA, or SSE2 multiply and add), timed on one thread.
#pragma once

#include <string>

namespace nnn {

struct FmaPeak {
  double gflops = 0.0;  // single-precision FLOP/s of one core, in 1e9
  std::string isa;      // "avx512f", "avx2+fma" or "sse2 (no fma)"
};

/// Best of 5 rounds of at least `min_seconds` / 5 each, on the calling
/// thread.
FmaPeak measure_fma_peak(double min_seconds = 0.25);

/// The CPU's model name (/proc/cpuinfo), or "unknown CPU".
std::string cpu_model_name();

}  // namespace nnn

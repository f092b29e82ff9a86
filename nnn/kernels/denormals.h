// Denormal floats (magnitudes under 1.2e-38) flushed to zero in one scope.
// On Intel cores an operation on a denormal takes a microcode assist of
// about a hundred cycles: Adam's moment estimates of a weight whose gradient
// stays zero (a dead ReLU unit's) decay through the denormal range over
// hundreds of steps, and on an Intel Xeon the update loop of a one-cell MLP
// at batch 32 then took 2.8 times as long as the whole forward and backward
// (perf's samples; experiments/README.md). XLA's CPU client, and so JAX,
// runs compiled code with denormals flushed.
#pragma once

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#endif

namespace nnn {

/// While it lives, this thread's float operations treat denormal inputs as
/// zero and flush denormal results to zero (x86's DAZ and FTZ bits); the
/// previous mode is restored after. Elsewhere it changes nothing. A value
/// this small changes no update: Adam adds step * m / (sqrt(v) + 1e-8).
class FlushDenormals {
 public:
#if defined(__SSE__) || defined(__x86_64__)
  FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | kFlushToZero | kDenormalsAreZero); }
  ~FlushDenormals() { _mm_setcsr(saved_); }
#else
  FlushDenormals() = default;
#endif
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;

 private:
#if defined(__SSE__) || defined(__x86_64__)
  static constexpr unsigned kFlushToZero = 0x8000, kDenormalsAreZero = 0x0040;
  unsigned saved_;
#endif
};

}  // namespace nnn

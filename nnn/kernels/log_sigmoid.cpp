// The log-sigmoid loops, compiled with -O3 -ffast-math (nnn/CMakeLists.txt):
// the flags under which GCC calls glibc's vector expf/log1pf (libmvec) from
// them. Nothing else lives in this file. NaN in gives NaN out (tested).
#include <cmath>

#include "nnn/kernels/activations.h"
#include "nnn/kernels/vector_clones.h"

namespace nnn {

NNN_VECTOR_CLONES
void log_sigmoid_forward(const float* x, float* y, int64_t n) {
#pragma GCC ivdep
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    y[i] = std::fmin(v, 0.0f) - std::log1p(std::exp(-std::fabs(v)));
  }
}

NNN_VECTOR_CLONES
void log_sigmoid_backward(const float* grad, const float* y, float* out, int64_t n) {
#pragma GCC ivdep
  for (int64_t i = 0; i < n; ++i) out[i] = grad[i] - grad[i] * std::exp(y[i]);
}

}  // namespace nnn

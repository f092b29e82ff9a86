// The ReLU loops, at -O3 without -ffast-math: NaN behaves as in LibTorch
// (relu keeps it; the derivative passes the gradient where y is NaN).
#include "nnn/kernels/activations.h"

#include "nnn/kernels/vector_clones.h"

namespace nnn {

NNN_VECTOR_CLONES
void relu_forward(const float* x, float* y, int64_t n) {
#pragma GCC ivdep
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

NNN_VECTOR_CLONES
void relu_backward(const float* grad, const float* y, float* out, int64_t n) {
#pragma GCC ivdep
  for (int64_t i = 0; i < n; ++i) out[i] = y[i] <= 0.0f ? 0.0f : grad[i];
}

}  // namespace nnn

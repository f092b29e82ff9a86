// The fused Adam loop, at -O3 (nnn/CMakeLists.txt), for AVX-512, AVX2 and
// plain x86-64.
#include "nnn/kernels/adam.h"

#include <cmath>

#include "nnn/kernels/vector_clones.h"

namespace nnn {

NNN_VECTOR_CLONES
void adam_update(float* p, const float* g, float* m, float* v, int64_t n, float beta1, float beta2,
                 float step_size, float inv_sqrt_bias2, float eps) {
  const float keep1 = 1.0f - beta1, keep2 = 1.0f - beta2;
  for (int64_t i = 0; i < n; ++i) {
    const float gi = g[i];
    const float mi = m[i] * beta1 + gi * keep1;
    const float vi = v[i] * beta2 + gi * gi * keep2;
    m[i] = mi;
    v[i] = vi;
    p[i] += step_size * (mi / (std::sqrt(vi) * inv_sqrt_bias2 + eps));
  }
}

}  // namespace nnn

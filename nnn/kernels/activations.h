// Element-wise activations of the direct paths (the no-grad forward and the
// hand-written backward) where LibTorch's are slow on the CPU: log-sigmoid,
// whose log1p LibTorch computes in a slow vector routine (a third of a
// fully_connected(8) training step). Plain loops on raw float arrays that
// the compiler vectorises with glibc's vector math library, built for
// AVX-512, AVX2 and plain x86-64, picked when the library loads. ReLU and
// its derivative too: at batch 32 LibTorch's bookkeeping per operation
// costs more than the loop.
#pragma once

#include <cstdint>

namespace nnn {

/// y = log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)), element-wise; y may be x.
void log_sigmoid_forward(const float* x, float* y, int64_t n);

/// out = grad * (1 - exp(y)) for y = log_sigmoid(x): the gradient with
/// respect to x; out may be grad.
void log_sigmoid_backward(const float* grad, const float* y, float* out, int64_t n);

/// y = max(x, 0), element-wise; y may be x.
void relu_forward(const float* x, float* y, int64_t n);

/// out = grad where y > 0, else 0 (y = relu(x)); out may be grad.
void relu_backward(const float* grad, const float* y, float* out, int64_t n);

}  // namespace nnn

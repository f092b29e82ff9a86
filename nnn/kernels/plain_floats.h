// Whether the direct path's loops (nnn/kernels) may read tensors as flat
// float arrays; LibTorch's operations take every other tensor.
#pragma once

#include <torch/types.h>

#include <initializer_list>

namespace nnn {

/// Each of `tensors` float32, on the CPU and contiguous.
inline bool plain_cpu_floats(std::initializer_list<torch::Tensor> tensors) {
  for (const auto& t : tensors) {
    if (!t.is_cpu() || t.scalar_type() != torch::kFloat || !t.is_contiguous()) return false;
  }
  return true;
}

}  // namespace nnn

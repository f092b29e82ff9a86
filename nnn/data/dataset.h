// Dataset: a whole labelled set held as two tensors, so batches are index
// selections rather than per-sample copies. Loaders for files live beside it.
//
// Dimension key: N samples, D features.
#pragma once

#include <torch/types.h>

#include <string>

namespace nnn {

struct Dataset {
  std::string name;
  torch::Tensor inputs;  // [N, D] float32
  torch::Tensor labels;  // [N] int64 in [0, classes)
  int64_t classes = 0;

  int64_t size() const { return inputs.defined() ? inputs.size(0) : 0; }
  int64_t features() const { return inputs.defined() ? inputs.size(1) : 0; }
};

}  // namespace nnn

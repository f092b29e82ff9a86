// Weights files: a dict name -> tensor in torch.save's own format, which
// Python's torch.load reads directly (also with weights_only=True). Names are the module's
// parameter names
// ("cells.0.w1", ...). Full training checkpoints are nnn/train's business.
#pragma once

#include <torch/nn/module.h>

#include <string>

#include "nnn/util/files.h"

namespace nnn {

/// Writes every parameter (moved to the CPU) to `path`, atomically: a
/// temporary file in the same folder renamed over the target.
void save_weights(const torch::nn::Module& module, const std::string& path);
/// Copies the tensors in `path` into the module's parameters. Every
/// parameter must be present with the same shape and no extra names may be
/// in the file; a mismatch is an nnn::Error naming the tensor and both shapes.
void load_weights(torch::nn::Module& module, const std::string& path);

}  // namespace nnn

// Named tensors in the file format of Python's torch.save (a zip archive
// with a protocol-2 pickle of a dict and one record per storage), written
// directly: Python's torch.load reads it with its default weights_only=True
// (PyTorch >= 2.6), which refuses LibTorch's own pickle_save output (that
// tags the dict's type with a global weights_only does not allow).
#pragma once

#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

namespace nnn {

/// The bytes of torch.save({name: tensor, ...}) for contiguous CPU tensors
/// of float32, float64 or int64 (in this order in the dict).
std::string torch_save_bytes(const std::vector<std::pair<std::string, torch::Tensor>>& tensors);

}  // namespace nnn

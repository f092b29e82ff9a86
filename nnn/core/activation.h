// The activations a cell may use, by name. Torch-free so that config code can
// parse names without pulling in LibTorch; cell.h applies them to tensors.
#pragma once

#include <string>
#include <vector>

namespace nnn {

enum class Activation { kReLU, kSigmoid, kTanh, kLogSigmoid, kIdentity };

/// "relu", "sigmoid", "tanh", "log_sigmoid", "identity".
std::string to_string(Activation activation);
/// Inverse of to_string; throws nnn::Error naming the accepted names.
Activation parse_activation(const std::string& name);
/// All accepted names, in enum order.
const std::vector<std::string>& activation_names();

}  // namespace nnn

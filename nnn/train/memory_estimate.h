// What a config will allocate before anything is: the model's parameters
// with their optimiser state, the activations of a batch, generated data.
// Training and loading a run refuse a config that would not fit this
// machine, naming the key to reduce. Torch-free.
#pragma once

#include <cstdint>

#include "nnn/config/experiment_config.h"

namespace nnn {

/// What a config will allocate, estimated before anything is: the model's
/// parameters with gradients and optimiser state, the activations autograd
/// keeps for a training (or evaluation) batch, generated data sets.
struct MemoryEstimate {
  double parameter_bytes = 0;
  double activation_bytes = 0;
  double data_bytes = 0;
  double total() const { return parameter_bytes + activation_bytes + data_bytes; }
};
MemoryEstimate estimate_memory(const ExperimentConfig& config);
/// nnn::Error naming the file, the estimate, the machine's memory and the
/// key to reduce when the estimate exceeds 80% of `available_bytes`
/// (training and loading a run check their config against this machine).
void check_memory(const ExperimentConfig& config, uint64_t available_bytes);

/// check_memory against this machine's available memory.
void check_memory(const ExperimentConfig& config);

}  // namespace nnn

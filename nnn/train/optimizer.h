// Optimisers (SGD with momentum/Nesterov, Adam, AdamW) and learning-rate
// schedules (constant, step, cosine; with linear warm-up) from TrainConfig.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <vector>

#include "nnn/config/experiment_config.h"

namespace nnn {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(std::vector<torch::Tensor> parameters,
                                                        const TrainConfig& config);

/// The learning rate for batch `batch` (0-based, counted over the whole run)
/// with `batches_per_epoch` batches an epoch. Warm-up rises linearly to lr
/// over warmup_epochs; then constant, step (lr * gamma^floor(epoch /
/// step_size)) or cosine (from lr to min_lr over the remaining epochs).
double scheduled_lr(const TrainConfig& config, int64_t batch, int64_t batches_per_epoch);

/// Sets the learning rate of every parameter group.
void set_lr(torch::optim::Optimizer& optimizer, double lr);

}  // namespace nnn

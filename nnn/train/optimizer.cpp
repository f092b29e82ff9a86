// Optimiser construction and learning-rate schedules.
#include "nnn/train/optimizer.h"

#include <cmath>

#include "nnn/core/error.h"

namespace nnn {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(std::vector<torch::Tensor> parameters,
                                                        const TrainConfig& c) {
  if (c.optimizer == "sgd") {
    return std::make_unique<torch::optim::SGD>(parameters, torch::optim::SGDOptions(c.lr)
                                                               .momentum(c.momentum)
                                                               .nesterov(c.nesterov)
                                                               .weight_decay(c.weight_decay));
  }
  if (c.optimizer == "adam") {
    return std::make_unique<torch::optim::Adam>(parameters,
                                                torch::optim::AdamOptions(c.lr)
                                                    .betas(std::make_tuple(c.beta1, c.beta2))
                                                    .weight_decay(c.weight_decay));
  }
  NNN_CHECK(c.optimizer == "adamw", "train.optimizer is '", c.optimizer,
            "'; expected sgd, adam or adamw");
  return std::make_unique<torch::optim::AdamW>(parameters,
                                               torch::optim::AdamWOptions(c.lr)
                                                   .betas(std::make_tuple(c.beta1, c.beta2))
                                                   .weight_decay(c.weight_decay));
}

double scheduled_lr(const TrainConfig& c, int64_t batch, int64_t batches_per_epoch) {
  const double per_epoch = static_cast<double>(std::max<int64_t>(1, batches_per_epoch));
  const double warmup_batches = c.warmup_epochs * per_epoch;
  if (batch < warmup_batches) return c.lr * static_cast<double>(batch + 1) / warmup_batches;
  const int64_t epoch = batch / std::max<int64_t>(1, batches_per_epoch);  // 0-based
  if (c.schedule == "step")
    return c.lr * std::pow(c.gamma, static_cast<double>(epoch / c.step_size));
  if (c.schedule == "cosine") {
    const double span = static_cast<double>(c.epochs) * per_epoch - warmup_batches;
    const double progress = span > 0 ? (static_cast<double>(batch) - warmup_batches) / span : 1.0;
    return c.min_lr + (c.lr - c.min_lr) * 0.5 * (1.0 + std::cos(M_PI * std::min(1.0, progress)));
  }
  return c.lr;
}

void set_lr(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

}  // namespace nnn

// Optimisers over one flat parameter vector (SGD with momentum/Nesterov,
// Adam, AdamW; the same update rules as torch::optim) and learning-rate
// schedules (constant, step, cosine; with linear warm-up). Working on the
// NNN's flat parameter storage makes a step ~10 tensor operations whatever
// the number of cells, instead of ~10 per parameter tensor.
#pragma once

#include <torch/serialize/archive.h>
#include <torch/types.h>

#include "nnn/config/experiment_config.h"

namespace nnn {

class FlatOptimizer {
 public:
  explicit FlatOptimizer(const TrainConfig& config);

  /// Updates `params` (a flat vector, in place) from the gradient `grad` of
  /// the same shape, at the current learning rate.
  void step(torch::Tensor params, torch::Tensor grad);
  void set_lr(double lr) { lr_ = lr; }
  double lr() const { return lr_; }
  int64_t steps_taken() const { return step_; }

  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);
  /// Moves the state (moments, momentum) to `device`.
  void to(const torch::Device& device);

 private:
  TrainConfig config_;
  double lr_;
  int64_t step_ = 0;
  torch::Tensor first_;   // adam/adamw: exp_avg; sgd: momentum buffer
  torch::Tensor second_;  // adam/adamw: exp_avg_sq
};

/// Scales `grad` in place so that its L2 norm is at most `max_norm`
/// (without a host sync).
void clip_grad_norm(torch::Tensor& grad, double max_norm);

/// The learning rate for batch `batch` (0-based, counted over the whole run)
/// with `batches_per_epoch` batches an epoch. Warm-up rises linearly to lr
/// over warmup_epochs; then constant, step (lr * gamma^floor(epoch /
/// step_size)) or cosine (from lr to min_lr over the remaining epochs).
double scheduled_lr(const TrainConfig& config, int64_t batch, int64_t batches_per_epoch);

}  // namespace nnn

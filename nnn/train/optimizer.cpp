// Flat optimisers and learning-rate schedules.
#include "nnn/train/optimizer.h"

#include <cmath>

#include "nnn/kernels/adam.h"
#include "nnn/kernels/denormals.h"
#include "nnn/kernels/plain_floats.h"
#include "nnn/util/error.h"

namespace nnn {

FlatOptimizer::FlatOptimizer(const TrainConfig& config) : config_(config), lr_(config.lr) {}

void FlatOptimizer::step(torch::Tensor params, torch::Tensor grad) {
  torch::NoGradGuard no_grad;
  // Momentum and moment estimates of weights whose gradient stays zero decay
  // through the denormal floats (nnn/kernels/denormals.h).
  const FlushDenormals flush;
  const TrainConfig& c = config_;
  ++step_;
  if (c.optimizer == OptimizerKind::kSgd) {
    if (c.weight_decay != 0) grad = grad.add(params, c.weight_decay);
    if (c.momentum != 0) {
      if (!first_.defined()) {
        first_ = grad.clone();
      } else {
        first_.mul_(c.momentum).add_(grad);
      }
      grad = c.nesterov ? grad.add(first_, c.momentum) : first_;
    }
    params.add_(grad, -lr_);
    return;
  }
  if (!first_.defined()) {
    first_ = torch::zeros_like(params);
    second_ = torch::zeros_like(params);
  }
  if (c.optimizer == OptimizerKind::kAdamW) {
    params.mul_(1.0 - lr_ * c.weight_decay);
  } else if (c.weight_decay != 0) {
    grad = grad.add(params, c.weight_decay);
  }
  const double bias1 = 1.0 - std::pow(c.beta1, static_cast<double>(step_));
  const double bias2 = 1.0 - std::pow(c.beta2, static_cast<double>(step_));
  if (plain_cpu_floats({params, grad, first_, second_}) && grad.numel() == params.numel() &&
      first_.numel() == params.numel() && second_.numel() == params.numel()) {
    // One pass instead of eight (nnn/kernels/adam).
    adam_update(params.data_ptr<float>(), grad.data_ptr<float>(), first_.data_ptr<float>(),
                second_.data_ptr<float>(), params.numel(), static_cast<float>(c.beta1),
                static_cast<float>(c.beta2), static_cast<float>(-lr_ / bias1),
                static_cast<float>(1.0 / std::sqrt(bias2)), 1e-8f);
    return;
  }
  first_.mul_(c.beta1).add_(grad, 1.0 - c.beta1);
  second_.mul_(c.beta2).addcmul_(grad, grad, 1.0 - c.beta2);
  const auto denom = second_.sqrt().div_(std::sqrt(bias2)).add_(1e-8);
  params.addcdiv_(first_, denom, -lr_ / bias1);
}

void FlatOptimizer::save(torch::serialize::OutputArchive& archive) const {
  archive.write("step", torch::tensor(step_));
  archive.write("lr", torch::tensor(lr_, torch::kDouble));
  if (first_.defined()) archive.write("first", first_);
  if (second_.defined()) archive.write("second", second_);
}

void FlatOptimizer::load(torch::serialize::InputArchive& archive) {
  auto read = [&](const char* key) {
    torch::Tensor t;
    return archive.try_read(key, t) ? t : torch::Tensor();
  };
  step_ = read("step").item<int64_t>();
  lr_ = read("lr").item<double>();
  first_ = read("first");
  second_ = read("second");
}

void FlatOptimizer::to(const torch::Device& device) {
  if (first_.defined()) first_ = first_.to(device);
  if (second_.defined()) second_ = second_.to(device);
}

void clip_grad_norm(torch::Tensor& grad, double max_norm) {
  torch::NoGradGuard no_grad;
  const auto coefficient = (max_norm / (grad.norm() + 1e-6)).clamp_max(1.0);
  grad.mul_(coefficient);
}

double scheduled_lr(const TrainConfig& c, int64_t batch, int64_t batches_per_epoch) {
  const double per_epoch = static_cast<double>(std::max<int64_t>(1, batches_per_epoch));
  const double warmup_batches = c.warmup_epochs * per_epoch;
  if (batch < warmup_batches) return c.lr * static_cast<double>(batch + 1) / warmup_batches;
  const int64_t epoch = batch / std::max<int64_t>(1, batches_per_epoch);  // 0-based
  if (c.schedule == LrSchedule::kStep) {
    return c.lr * std::pow(c.gamma, static_cast<double>(epoch / c.step_size));
  }
  if (c.schedule == LrSchedule::kCosine) {
    const double span = static_cast<double>(c.epochs) * per_epoch - warmup_batches;
    const double progress = span > 0 ? (static_cast<double>(batch) - warmup_batches) / span : 1.0;
    return c.min_lr + (c.lr - c.min_lr) * 0.5 * (1.0 + std::cos(M_PI * std::min(1.0, progress)));
  }
  return c.lr;
}

}  // namespace nnn

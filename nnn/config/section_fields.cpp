// The train section's numeric keys.
#include "nnn/config/train_fields.h"

#include "nnn/util/limits.h"

namespace nnn {

const std::vector<TrainField>& train_fields() {
  // Upper bounds are far past any sensible run and keep loops and
  // allocations finite; a learning rate of 1e6 is a typo, not a setting.
  static const std::vector<TrainField> kFields = {
      {"epochs", &TrainConfig::epochs, 1, 1000000, "", "passes over the training set"},
      {"batch_size", &TrainConfig::batch_size, 1, 1 << 20, "samples",
       "samples per optimiser step (the global batch of a distributed run)"},
      {"lr", &TrainConfig::lr, 0, 1e4, "", "learning rate", /*low_open=*/true},
      {"momentum", &TrainConfig::momentum, 0, 0.999999, "", "sgd: momentum (0: off)"},
      {"weight_decay", &TrainConfig::weight_decay, 0, 10, "",
       "sgd, adam: L2 in the gradient; adamw: decoupled (0: off)"},
      {"beta1", &TrainConfig::beta1, 0, 0.999999, "", "adam, adamw: first-moment decay"},
      {"beta2", &TrainConfig::beta2, 0, 0.999999, "", "adam, adamw: second-moment decay"},
      {"step_size", &TrainConfig::step_size, 1, 1000000, "epochs",
       "schedule step: epochs between decays"},
      {"gamma", &TrainConfig::gamma, 0, 10, "", "schedule step: decay factor", true},
      {"min_lr", &TrainConfig::min_lr, 0, 10, "", "schedule cosine: final learning rate (<= lr)"},
      {"warmup_epochs", &TrainConfig::warmup_epochs, 0, 1000000, "epochs",
       "linear warm-up from 0, fractions allowed (<= epochs)"},
      {"clip_grad_norm", &TrainConfig::clip_grad_norm, 0, 1e6, "",
       "clip the gradient's L2 norm to this (0: off)"},
      {"eval_batch_size", &TrainConfig::eval_batch_size, 1, 1 << 20, "samples",
       "samples per evaluation batch"},
      {"log_every", &TrainConfig::log_every, 1, 1000000000, "batches",
       "batches between log lines and NaN checks"},
      {"recompute_every", &TrainConfig::recompute_every, 0, static_cast<double>(limits::kMaxSteps),
       "steps",
       "hand-written backward: keep every step (0), or recompute segments of this many steps"},
  };
  return kFields;
}

}  // namespace nnn

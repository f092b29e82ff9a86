// The training loss of NNN-SPEC: cross-entropy of the predictions (used as
// logits) on the last step, or the mean over the steps t >= d + 1.
//
// Dimension key: T steps, B batch, C classes.
#pragma once

#include <torch/types.h>

#include "nnn/config/experiment_config.h"

namespace nnn {

// predictions: [T, B, C], labels: [B] -> scalar
torch::Tensor step_loss(const torch::Tensor& predictions, const torch::Tensor& labels,
                        LossSteps steps, int64_t distance);

}  // namespace nnn

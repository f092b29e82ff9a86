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

/// step_loss times `scale` and its gradient with respect to the predictions
/// ([T, B, C], zero on the steps the loss does not read, which may hold
/// anything, NaN included), without autograd: on CPU float32 one pass over
/// the rows the loss reads (softmax minus the label's one-hot), elsewhere
/// LibTorch's autograd through step_loss. A label outside [0, C) is an
/// nnn::Error naming it.
struct LossAndGradient {
  torch::Tensor loss;      // scalar, float32
  torch::Tensor gradient;  // [T, B, C]
};
LossAndGradient step_loss_and_gradient(const torch::Tensor& predictions,
                                       const torch::Tensor& labels, LossSteps steps,
                                       int64_t distance, double scale);

}  // namespace nnn

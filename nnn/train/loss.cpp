// Loss over steps.
#include "nnn/train/loss.h"

#include <torch/nn/functional/loss.h>

#include "nnn/util/error.h"

namespace nnn {

torch::Tensor step_loss(const torch::Tensor& predictions, const torch::Tensor& labels,
                        LossSteps steps, int64_t distance) {
  const int64_t t = predictions.size(0);
  NNN_CHECK(distance >= 0 && distance < t, "step_loss: distance ", distance, " with ", t, " steps");
  namespace F = torch::nn::functional;
  if (steps == LossSteps::kLast) return F::cross_entropy(predictions[t - 1], labels);
  // Steps d+1 .. T (1-based) are indices d .. T-1; mean over steps and batch.
  const auto used = predictions.narrow(0, distance, t - distance);
  const int64_t classes = used.size(2);
  return F::cross_entropy(used.reshape({-1, classes}), labels.repeat({t - distance}));
}

}  // namespace nnn

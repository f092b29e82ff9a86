// Loss over steps, and its gradient in one pass.
#include "nnn/train/loss.h"

#include <torch/autograd.h>
#include <torch/nn/functional/loss.h>

#include <cmath>
#include <vector>

#include "nnn/kernels/plain_floats.h"
#include "nnn/util/error.h"

namespace nnn {

namespace {

// The 0-based steps the loss reads: [first, T).
int64_t first_step(int64_t t, LossSteps steps, int64_t distance) {
  NNN_CHECK(distance >= 0 && distance < t, "step_loss: distance ", distance, " with ", t, " steps");
  return steps == LossSteps::kLast ? t - 1 : distance;
}

}  // namespace

torch::Tensor step_loss(const torch::Tensor& predictions, const torch::Tensor& labels,
                        LossSteps steps, int64_t distance) {
  const int64_t t = predictions.size(0);
  const int64_t first = first_step(t, steps, distance);
  namespace F = torch::nn::functional;
  if (steps == LossSteps::kLast) return F::cross_entropy(predictions[t - 1], labels);
  // Steps d+1 .. T (1-based) are indices d .. T-1; mean over steps and batch.
  const auto used = predictions.narrow(0, first, t - first);
  const int64_t classes = used.size(2);
  return F::cross_entropy(used.reshape({-1, classes}), labels.repeat({t - first}));
}

LossAndGradient step_loss_and_gradient(const torch::Tensor& predictions,
                                       const torch::Tensor& labels, LossSteps steps,
                                       int64_t distance, double scale) {
  NNN_CHECK(predictions.dim() == 3 && labels.dim() == 1 && labels.size(0) == predictions.size(1),
            "step_loss: predictions ", predictions.sizes(), " and labels ", labels.sizes());
  const int64_t t = predictions.size(0), batch = predictions.size(1), classes = predictions.size(2);
  const int64_t first = first_step(t, steps, distance);
  if (!plain_cpu_floats({predictions}) || !labels.is_cpu() ||
      labels.scalar_type() != torch::kLong || !labels.is_contiguous()) {
    torch::AutoGradMode enable(true);
    const auto leaf = predictions.detach().requires_grad_(true);
    const auto loss = step_loss(leaf, labels, steps, distance) * scale;
    return {loss.detach(), torch::autograd::grad({loss}, {leaf})[0]};
  }
  const int64_t* y = labels.data_ptr<int64_t>();
  for (int64_t b = 0; b < batch; ++b) {
    NNN_CHECK(y[b] >= 0 && y[b] < classes, "step_loss: label ", y[b], " of sample ", b,
              " is outside [0, ", classes, ")");
  }
  auto gradient = torch::empty_like(predictions);
  const float* p = predictions.data_ptr<float>();
  float* g = gradient.data_ptr<float>();
  if (first > 0) std::fill(g, g + first * batch * classes, 0.0f);
  const int64_t rows = (t - first) * batch;
  // Each row: loss log(sum exp x) - x[y]; gradient softmax(x) - onehot(y),
  // over the rows' count (the mean), times scale.
  const auto per_row = static_cast<float>(scale / static_cast<double>(rows));
  double total = 0.0;
  std::vector<float> e(static_cast<size_t>(classes));
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = p + (first * batch + r) * classes;
    float* d = g + (first * batch + r) * classes;
    float top = x[0];
    for (int64_t c = 1; c < classes; ++c) top = std::fmax(top, x[c]);
    float sum = 0.0f;
    for (int64_t c = 0; c < classes; ++c) {
      e[static_cast<size_t>(c)] = std::exp(x[c] - top);
      sum += e[static_cast<size_t>(c)];
    }
    const int64_t label = y[r % batch];
    total += static_cast<double>(top) + std::log(static_cast<double>(sum)) - x[label];
    const float share = per_row / sum;
    for (int64_t c = 0; c < classes; ++c) d[c] = e[static_cast<size_t>(c)] * share;
    d[label] -= per_row;
  }
  const auto loss = torch::full({}, static_cast<float>(total * scale / static_cast<double>(rows)),
                                predictions.options());
  return {loss, gradient};
}

}  // namespace nnn

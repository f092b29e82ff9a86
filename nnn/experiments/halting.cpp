// PonderNet's loss on a frozen reader, for a linear halting unit.
#include "nnn/experiments/halting.h"

#include <torch/nn/functional/loss.h>
#include <torch/optim/adam.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "nnn/util/error.h"

namespace nnn {

namespace {

void check_shapes(const torch::Tensor& messages, const torch::Tensor& logits,
                  const torch::Tensor& labels) {
  NNN_CHECK(messages.dim() == 3 && logits.dim() == 3 && labels.dim() == 1 &&
                messages.size(0) == logits.size(0) && messages.size(1) == logits.size(1) &&
                labels.size(0) == logits.size(1) && logits.size(0) >= 1,
            "learned halting: expected messages [T, N, K], logits [T, N, C] and labels [N]; got ",
            messages.sizes(), ", ", logits.sizes(), " and ", labels.sizes());
}

// lambda_t for t < T from the unit, 1 at T: [T, N].
torch::Tensor halting_rates(const HaltingUnit& unit, const torch::Tensor& messages) {
  const auto features = (messages - unit.mean) / unit.scale;
  auto rates = torch::sigmoid(torch::matmul(features, unit.w) + unit.b);  // [T, N]
  const int64_t t = rates.size(0);
  return torch::cat({rates.narrow(0, 0, t - 1), torch::ones_like(rates[0]).unsqueeze(0)});
}

// p_t = lambda_t * prod_{s<t} (1 - lambda_s): [T, N], summing to 1 over t.
torch::Tensor halting_distribution(const torch::Tensor& rates) {
  const auto survive = torch::cumprod(1 - rates, 0);  // prod_{s<=t}
  const auto before = torch::cat(
      {torch::ones_like(survive[0]).unsqueeze(0), survive.narrow(0, 0, rates.size(0) - 1)});
  return rates * before;
}

}  // namespace

HaltingUnit train_halting(const torch::Tensor& messages_in, const torch::Tensor& logits_in,
                          const torch::Tensor& labels_in, const HaltingOptions& options) {
  check_shapes(messages_in, logits_in, labels_in);
  NNN_CHECK(options.prior > 0 && options.prior < 1 && options.beta >= 0 && options.iterations >= 1,
            "learned halting: prior must be in (0, 1), beta >= 0, iterations >= 1");
  const auto messages = messages_in.to(torch::kCPU, torch::kFloat32);
  const auto logits = logits_in.to(torch::kCPU, torch::kFloat32);
  const auto labels = labels_in.to(torch::kCPU);
  const int64_t steps = logits.size(0), n = logits.size(1), k = messages.size(2);
  // Each step's cross-entropy on the frozen reader: [T, N].
  const auto losses = torch::nn::functional::cross_entropy(
                          logits.reshape({steps * n, -1}), labels.repeat({steps}),
                          torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone))
                          .view({steps, n});
  // The truncated geometric prior over 1..T.
  auto prior = torch::pow(1 - options.prior, torch::arange(steps, torch::kFloat32)) * options.prior;
  prior = prior / prior.sum();

  HaltingUnit unit;
  const auto flat = messages.reshape({-1, k});
  unit.mean = flat.mean(0);
  unit.scale = flat.std(0).clamp_min(1e-6);
  unit.w = torch::zeros({k}, torch::requires_grad());
  unit.b = torch::zeros({}, torch::requires_grad());
  torch::optim::Adam optimiser({unit.w, unit.b}, torch::optim::AdamOptions(options.lr));
  torch::AutoGradMode enable(true);
  for (int64_t i = 0; i < options.iterations; ++i) {
    optimiser.zero_grad();
    const auto p = halting_distribution(halting_rates(unit, messages));  // [T, N]
    const auto expected = (p * losses).sum(0).mean();
    const auto kl =
        (p * (torch::log(p.clamp_min(1e-12)) - torch::log(prior).unsqueeze(1))).sum(0).mean();
    (expected + options.beta * kl).backward();
    optimiser.step();
  }
  unit.w = unit.w.detach();
  unit.b = unit.b.detach();
  return unit;
}

AnytimePoint halting_reading(const HaltingUnit& unit, const torch::Tensor& messages,
                             const torch::Tensor& logits, const torch::Tensor& labels) {
  check_shapes(messages, logits, labels);
  torch::NoGradGuard no_grad;
  const auto p = halting_distribution(
      halting_rates(unit, messages.to(torch::kCPU, torch::kFloat32)));  // [T, N]
  // The first step whose cumulative halting probability reaches 1/2.
  const auto reached = p.cumsum(0).ge(0.5);
  reached[reached.size(0) - 1].fill_(true);
  const auto stop = reached.to(torch::kLong).argmax(0);  // [N]
  const auto guess = logits.to(torch::kCPU).argmax(2);   // [T, N]
  const auto right = guess.gather(0, stop.view({1, -1})).squeeze(0).eq(labels.to(torch::kCPU));
  AnytimePoint point;
  point.tau = std::numeric_limits<double>::quiet_NaN();
  point.accuracy = right.to(torch::kDouble).mean().item<double>();
  point.mean_frames = (stop + 1).to(torch::kDouble).mean().item<double>();
  return point;
}

double accuracy_at_frames(const std::vector<AnytimePoint>& curve, double frames) {
  std::vector<AnytimePoint> sorted = curve;
  std::sort(sorted.begin(), sorted.end(), [](const AnytimePoint& a, const AnytimePoint& b) {
    return a.mean_frames < b.mean_frames;
  });
  for (size_t i = 0; i + 1 < sorted.size(); ++i) {
    const auto& a = sorted[i];
    const auto& b = sorted[i + 1];
    if (frames >= a.mean_frames && frames <= b.mean_frames) {
      if (b.mean_frames == a.mean_frames) return std::max(a.accuracy, b.accuracy);
      const double f = (frames - a.mean_frames) / (b.mean_frames - a.mean_frames);
      return a.accuracy + f * (b.accuracy - a.accuracy);
    }
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace nnn

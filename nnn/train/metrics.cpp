// StepMetrics.
#include "nnn/train/metrics.h"

#include <torch/types.h>

#include <algorithm>
#include <cmath>

#include "nnn/util/error.h"

namespace nnn {

std::vector<double> per_sample(const torch::Tensor& sums, int64_t samples) {
  const auto host = sums.to(torch::kCPU, torch::kDouble).contiguous();
  std::vector<double> result(host.data_ptr<double>(), host.data_ptr<double>() + host.numel());
  for (auto& v : result) v /= static_cast<double>(std::max<int64_t>(samples, 1));
  return result;
}

StepMetrics::StepMetrics(int64_t steps, int64_t classes, const torch::Device& device)
    : steps_(steps), k_(std::min<int64_t>(3, classes)) {
  const auto on = [&](torch::Dtype type) {
    return torch::TensorOptions().dtype(type).device(device);
  };
  correct_ = torch::zeros({steps}, on(torch::kLong));
  top_k_ = torch::zeros({steps}, on(torch::kLong));
  confidence_ = torch::zeros({steps}, on(torch::kDouble));
  bin_gap_ = torch::zeros({steps * kCalibrationBins}, on(torch::kDouble));
}

void StepMetrics::add(const torch::Tensor& predictions, const torch::Tensor& labels) {
  NNN_CHECK(predictions.dim() == 3 && predictions.size(0) == steps_ &&
                predictions.size(1) == labels.size(0),
            "StepMetrics: predictions ", predictions.sizes(), " do not fit ", steps_, " steps and ",
            labels.size(0), " labels");
  torch::NoGradGuard no_grad;
  const int64_t b = labels.size(0);
  const auto y = labels.view({1, b});
  const auto probabilities = predictions.softmax(2);
  const auto [top, guess] = probabilities.max(2);  // [T, B]
  const auto hit = guess.eq(y);
  correct_ += hit.sum(1);
  top_k_ += std::get<1>(predictions.topk(k_, 2)).eq(y.unsqueeze(2)).any(2).sum(1);
  const auto top_d = top.to(torch::kDouble);
  confidence_ += top_d.sum(1);
  const auto bin =
      (top_d * kCalibrationBins).floor().clamp(0, kCalibrationBins - 1).to(torch::kLong);
  const auto step = torch::arange(steps_, bin.options()).unsqueeze(1) * kCalibrationBins;
  bin_gap_.index_add_(0, (step + bin).reshape({-1}),
                      (hit.to(torch::kDouble) - top_d).reshape({-1}));
  samples_ += b;
}

std::vector<double> StepMetrics::accuracy() const { return per_sample(correct_, samples_); }
std::vector<double> StepMetrics::top_k() const { return per_sample(top_k_, samples_); }
std::vector<double> StepMetrics::confidence() const { return per_sample(confidence_, samples_); }

std::vector<double> StepMetrics::calibration_error() const {
  return per_sample(bin_gap_.view({steps_, kCalibrationBins}).abs().sum(1), samples_);
}

void StepMetrics::reduce(const std::function<void(torch::Tensor&)>& sum_over_ranks) {
  const auto as_double = [](const torch::Tensor& t) { return t.to(torch::kDouble).cpu(); };
  torch::Tensor buffer = torch::cat(
      {as_double(correct_), as_double(top_k_), as_double(confidence_), as_double(bin_gap_),
       torch::tensor({static_cast<double>(samples_)}, torch::kDouble)});
  sum_over_ranks(buffer);
  int64_t at = 0;
  const auto take = [&](torch::Tensor& sum) {
    const int64_t n = sum.numel();
    sum = buffer.narrow(0, at, n).to(sum.options()).clone();
    at += n;
  };
  take(correct_);
  take(top_k_);
  take(confidence_);
  take(bin_gap_);
  samples_ = static_cast<int64_t>(std::llround(buffer[at].item<double>()));
}

}  // namespace nnn

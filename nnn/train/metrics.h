// Per-step classification metrics of predictions [T, B, C] (the network's
// outputs, used as logits), summed on the device over batches: top-1 and
// top-k accuracy, mean confidence (the largest softmax probability) and
// expected calibration error.
//
// Dimension key: T steps (or frame counts), B batch, C classes.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace nnn {

/// Per-step sums (a device tensor of any numeric type) divided by the
/// number of samples (at least 1), read to the host.
std::vector<double> per_sample(const torch::Tensor& sums, int64_t samples);

class StepMetrics {
 public:
  /// Confidence bins of the expected calibration error (equal widths on [0, 1]).
  static constexpr int64_t kCalibrationBins = 15;

  StepMetrics(int64_t steps, int64_t classes, const torch::Device& device);

  /// predictions [T, B, C], labels [B].
  void add(const torch::Tensor& predictions, const torch::Tensor& labels);

  int64_t samples() const { return samples_; }
  /// Replaces every sum (and the sample count) by `sum_over_ranks` of it:
  /// metrics of shards evaluated on several ranks become the whole set's.
  /// The sums travel in one float64 buffer, so one collective does it.
  void reduce(const std::function<void(torch::Tensor&)>& sum_over_ranks);
  std::vector<double> accuracy() const;    // [T] top-1
  std::vector<double> top_k() const;       // [T] top-3 (top-C when C < 3)
  std::vector<double> confidence() const;  // [T] mean max softmax probability
  /// [T] sum over bins of |accuracy - mean confidence| weighted by the
  /// bin's share of samples: 0 for a perfectly calibrated model.
  std::vector<double> calibration_error() const;

 private:
  int64_t steps_;
  int64_t k_;
  int64_t samples_ = 0;
  torch::Tensor correct_;     // [T] int64
  torch::Tensor top_k_;       // [T] int64
  torch::Tensor confidence_;  // [T] double
  torch::Tensor bin_gap_;     // [T * bins] double: sum of (correct - confidence) per bin
};

}  // namespace nnn

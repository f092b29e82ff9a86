// Experiment YAML: good files parse to the expected structs, every malformed
// file in tests/data/bad_configs fails with the exact message its first line
// names, wirings round-trip through YAML.
#include "nnn/config/experiment_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "nnn/config/yaml_reader.h"
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
  EXPECT_EQ(config.device, "cpu");
  EXPECT_EQ(config.model.hidden, (std::vector<int64_t>{5, 6, 7}));
  EXPECT_EQ(config.model.hidden_activation, Activation::kTanh);
  EXPECT_EQ(config.model.output_activation, Activation::kIdentity);
  EXPECT_EQ(config.model.wiring, Wiring({{0, 2, 0}, {0, 1, 3}, {1, 0, 0}}, {0}, 2));
  EXPECT_EQ(config.data.classes, 4);
  EXPECT_EQ(config.train.optimizer, "sgd");
  EXPECT_DOUBLE_EQ(config.train.momentum, 0.9);
  EXPECT_EQ(config.loss.steps, "all");
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
  EXPECT_EQ(config.loss.steps, "last");
  EXPECT_EQ(config.device, "auto");
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
      parse_experiment(text, name);
      ADD_FAILURE() << name << " parsed without error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos)
          << name << "\n  got:      " << e.what() << "\n  expected: " << expected;
    }
    ++checked;
  }
  EXPECT_GE(checked, 15);
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

